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

    package var succeeded: Bool { failure == nil }
}
