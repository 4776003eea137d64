import Foundation

/// Adaptive clipping: the clip bound follows a target quantile of the users' update norms, estimated
/// privately each round (Andrew, Thakkar, McMahan, Ramaswamy 2021, "Differentially Private Learning
/// with Adaptive Clipping", Algorithm 1).
///
/// Each user reports one bit, "my norm was within the bound"; the server adds N(0, σ_b²) to the count
/// and moves the bound geometrically: C ← C · exp(−η (b̃ − γ)), b̃ the noisy fraction. The bit's noise
/// is paid for by giving the update itself slightly more noise, so that the pair costs exactly one
/// Gaussian of the configured multiplier z: z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2) (§3.1 of the paper).
package struct AdaptiveClipping: Sendable, Equatable, Codable {
    /// γ: the fraction of users whose update should fit within the bound.
    package var targetQuantile: Double = 0.5
    /// η: the geometric step of the bound per round.
    package var learningRate: Double = 0.2
    /// σ_b: noise on the count of users within the bound.
    package var countNoiseStandardDeviation: Double
    package var initialBound: Double

    package init(initialBound: Double, countNoiseStandardDeviation: Double, targetQuantile: Double = 0.5, learningRate: Double = 0.2) {
        self.initialBound = initialBound
        self.countNoiseStandardDeviation = countNoiseStandardDeviation
        self.targetQuantile = targetQuantile
        self.learningRate = learningRate
    }

    /// The noise multiplier left for the update when the whole round must cost `total`; nil if the
    /// count's noise alone already costs more (σ_b ≤ total/2 is impossible to pay for).
    package func updateNoiseMultiplier(total z: Double) -> Double? {
        let remaining = 1 / (z * z) - 1 / (4 * countNoiseStandardDeviation * countNoiseStandardDeviation)
        return remaining > 0 ? 1 / remaining.squareRoot() : nil
    }

    /// The next round's bound from this round's noisy count of users within the bound.
    package func nextBound(after bound: Double, noisyCountWithin: Double, expectedCohort: Double) -> Double {
        let fraction = noisyCountWithin / expectedCohort
        return bound * exp(-learningRate * (fraction - targetQuantile))
    }
}
