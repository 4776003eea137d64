import SecureAggregation

/// How a run aggregates updates securely: what a scenario's `secureAggregation` section sets.
package struct SecureAggregationConfiguration: Sendable, Equatable, Codable {
    /// Which protocol: the masking graph is what differs.
    package enum ProtocolKind: String, Sendable, Equatable, Codable, CaseIterable {
        /// Bonawitz et al. 2017: every client masks with every other.
        case secagg
        /// Bell et al. 2020: each client masks with k random neighbours.
        case secaggplus
    }

    package var protocolKind = ProtocolKind.secaggplus
    /// SecAgg+'s neighbours k (nil: `SecureAggregationDefaults.neighbours`, 3⌈log₂ n⌉).
    package var neighbours: Int?
    /// Shares needed to reconstruct a secret, as ⌊fraction · neighbourhood⌋ + 1.
    package var thresholdFraction = 0.5
    /// The ring is Z_2^bits.
    package var bits = 32
    /// For each step (advertiseKeys, shareKeys, maskedInput, unmasking), the probability that a client
    /// still in the round drops at it.
    package var dropoutRates: [Double] = [0, 0, 0, 0]
    /// The L2 bound updates are clipped to before quantisation, when no privacy section clips them.
    package var clipBound: Double?
    /// Whom the protocol defends against: an honest-but-curious server, or one that lies about who
    /// dropped out (signed keys and Bonawitz et al.'s consistency check; docs/secure-aggregation.md).
    package var threatModel = SecureAggregationThreatModel.maliciousServer

    /// SecAgg+ with the default graph and threshold, a 32-bit ring, no dropout.
    package init() {}

    /// The probability that a client drops somewhere in the round.
    package var totalDropout: Double { 1 - dropoutRates.reduce(1) { $0 * (1 - $1) } }
}
