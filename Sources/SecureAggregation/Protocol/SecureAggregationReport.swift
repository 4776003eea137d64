/// What one secure-aggregation round cost and who made it through, for the metrics line.
package struct SecureAggregationReport: Sendable, Equatable, Codable {
    /// Clients the round started with.
    package var clients: Int
    /// Clients the server heard from validly at each step (advertiseKeys, shareKeys, maskedInput,
    /// unmasking); the sum holds exactly the inputs of the third.
    package var survivors: [Int]
    /// Why the round produced no sum, if it did not.
    package var failure: String?
    /// Messages the server rejected (tampered, replayed, wrong round or step, unknown sender).
    package var rejectedMessages: Int
    /// Per client (by id − 1): bytes sent and received, and CPU seconds spent in the protocol.
    package var bytesSent: [Int]
    package var bytesReceived: [Int]
    package var clientComputeSeconds: [Double]
    /// CPU seconds the server spent, over all its threads.
    package var serverComputeSeconds: Double
    /// Bytes the server sent, in all.
    package var serverBytesSent: Int
    /// The server the round defended against; the fields below are zero or nil under `.semiHonest`.
    package var threatModel: SecureAggregationThreatModel = .semiHonest
    /// Clients whose consistency-check signature the server accepted (U4 of Bonawitz et al. 2017,
    /// Fig. 4), nil when no consistency check ran.
    package var consistencySigners: Int? = nil
    /// The consistency check's share of the per-client figures above (by id − 1): its request and
    /// signature, the forwarded signatures, and signing and verifying. The signatures on advertised
    /// keys (64 bytes up, 64 per neighbour down, one signature and k verifications) stay in
    /// advertiseKeys and shareKeys.
    package var consistencyBytesSent: [Int] = []
    package var consistencyBytesReceived: [Int] = []
    package var consistencyClientComputeSeconds: [Double] = []
    /// The consistency check's share of the server's CPU seconds and bytes sent.
    package var consistencyServerComputeSeconds: Double = 0
    package var consistencyServerBytesSent: Int = 0

    package var succeeded: Bool { failure == nil }
}
