/// Default sizes for SecAgg+'s graph and the reconstruction threshold.
///
/// Bell et al. 2020 show that k = O(log n) neighbours keep both privacy and correctness with high
/// probability; `secAggPlus` takes the smallest k their bound allows (`HararyParameters`: σ = 40,
/// η = 20, the assumed corruption and dropout fractions), and a threshold inside the bound's range,
/// as close to ⌊fraction · k⌋ + 1 as it allows. `neighbours(clientCount:)` is the former fixed rule,
/// 3⌈log₂ n⌉, which has no such guarantee; a scenario may still set k (and the fraction) itself.
package enum SecureAggregationDefaults {
    /// SecAgg+'s k and t for a cohort of n from Bell et al.'s bound, the threshold the value in the
    /// bound's [least, most] range nearest ⌊fraction · k⌋ + 1; nil when no Harary graph meets it (a
    /// small cohort or large fractions), in which case SecAgg's complete graph is the safe choice.
    package static func secAggPlus(clientCount n: Int, corruption: Double, dropout: Double,
                                   threatModel: SecureAggregationThreatModel,
                                   thresholdFraction: Double = 0.5) -> (degree: Int, threshold: Int)? {
        guard let bound = try? HararyParameters.smallest(clients: n, corruption: corruption, dropout: dropout,
                                                         threatModel: threatModel) else { return nil }
        let preferred = threshold(degree: bound.degree, fraction: thresholdFraction)
        return (bound.degree, min(max(bound.threshold, preferred), bound.maximumThreshold))
    }

    /// The former default k for a cohort of n: 3⌈log₂ n⌉, rounded up to even, at most n − 1.
    package static func neighbours(clientCount n: Int) -> Int {
        guard n > 2 else { return max(n - 1, 0) }
        let ceilingLog2 = Int.bitWidth - (n - 1).leadingZeroBitCount
        let k = 3 * ceilingLog2
        return min(k + k % 2, n - 1)
    }

    /// The shares needed out of a neighbourhood of `degree`: ⌊fraction · degree⌋ + 1 (a strict
    /// majority at the default 0.5), at least 1 and at most `degree`.
    package static func threshold(degree: Int, fraction: Double = 0.5) -> Int {
        min(max(Int((fraction * Double(degree)).rounded(.down)) + 1, 1), max(degree, 1))
    }
}
