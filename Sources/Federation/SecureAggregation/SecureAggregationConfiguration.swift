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
    /// SecAgg+'s neighbours k (nil: the smallest k Bell et al. 2020's bound allows for the cohort,
    /// `corruptionFraction` and `assumedDropoutFraction`, at σ = 40 and η = 20; `HararyParameters`).
    package var neighbours: Int?
    /// Shares needed to reconstruct a secret, as ⌊fraction · neighbourhood⌋ + 1 (with the bound's k,
    /// moved into the range of thresholds the bound allows).
    package var thresholdFraction = 0.5
    /// γ: the fraction of a cohort assumed to collude with the server, for the bound on k (nil: 0.05).
    package var corruptionFraction: Double?
    /// δ: the fraction of a cohort assumed to drop out, for the bound on k (nil: the larger of 0.05
    /// and the fraction `totalDropout` stays below but with probability 2^−η).
    package var assumedDropoutFraction: Double?
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

    /// The γ and δ the bound on k assumes for a cohort of n (see `corruptionFraction`,
    /// `assumedDropoutFraction`): unless set, δ covers the configured dropout rate's binomial tail to
    /// 2^−η (`HararyParameters.dropoutFraction`), and at least 5%.
    package func assumedFractions(clientCount n: Int) -> (corruption: Double, dropout: Double) {
        (corruptionFraction ?? HararyParameters.defaultCorruptionFraction,
         assumedDropoutFraction ?? max(HararyParameters.defaultDropoutFraction,
                                       HararyParameters.dropoutFraction(clients: n, rate: totalDropout)))
    }

    /// The masking graph's degree and the threshold for a cohort of n: SecAgg's complete graph; SecAgg+
    /// with a set k, ⌊fraction · k⌋ + 1; else Bell et al.'s bound, or the complete graph where no
    /// Harary graph meets it. `plannedDropouts` clients already known to drop (devices that refused
    /// the task or will not report in time) raise δ to at least their share plus the configured rate
    /// on the rest. The graph itself is drawn by `SecureAggregationRound`.
    package func graphParameters(clientCount n: Int, plannedDropouts: Int = 0) -> (complete: Bool, degree: Int, threshold: Int) {
        let complete = (complete: true, degree: max(n - 1, 0),
                        threshold: SecureAggregationDefaults.threshold(degree: max(n - 1, 0), fraction: thresholdFraction))
        guard protocolKind == .secaggplus else { return complete }
        if let neighbours {
            let degree = min(neighbours + neighbours % 2, max(n - 1, 0))
            return (false, degree, SecureAggregationDefaults.threshold(degree: degree, fraction: thresholdFraction))
        }
        var (γ, δ) = assumedFractions(clientCount: n)
        if plannedDropouts > 0 && n > 0 {
            let rest = n - plannedDropouts
            δ = max(δ, (Double(plannedDropouts) + HararyParameters.dropoutFraction(clients: rest, rate: totalDropout) * Double(rest))
                / Double(n))
        }
        guard γ < 1, δ < 1, let bound = SecureAggregationDefaults.secAggPlus(clientCount: n, corruption: γ, dropout: δ,
                                                                          threatModel: threatModel,
                                                                          thresholdFraction: thresholdFraction) else { return complete }
        return (false, bound.degree, bound.threshold)
    }
}
