import Foundation

/// The Gaussian mechanism's exact privacy curve, in closed form: with μ = sensitivity / σ,
/// δ(ε) = Φ(μ/2 − ε/μ) − e^ε Φ(−μ/2 − ε/μ) (Balle & Wang 2018, Theorem 8; dp_accounting's
/// `GaussianPrivacyLoss`), the same in both directions of add/remove.
///
/// Gaussians compose in closed form too — T runs of μᵢ are one run of μ = √(Σ μᵢ²) (Dong, Roth, Su
/// 2019, "Gaussian differential privacy") — so the PLD accountant answers the unsampled Gaussian,
/// however many steps and however little noise, without a grid: exactly, in microseconds, where a
/// discretised distribution would need ~μ²/interval bins.
package struct AnalyticGaussian: Sendable, Hashable {
    /// Sensitivity over noise standard deviation of the (composed) mechanism; 0 reveals nothing.
    package let mu: Double

    package init(mu: Double) {
        precondition(mu >= 0, "AnalyticGaussian: μ must be non-negative")
        self.mu = mu
    }

    /// log Φ(x), accurate far into the lower tail.
    private static func logNormalCDF(_ x: Double) -> Double {
        log(0.5) + LogSpace.logErfc(-x / 2.0.squareRoot())
    }

    /// δ(ε), carried in log space so that ε in the thousands (e^ε overflows past 709) stays exact.
    package func delta(epsilon: Double) -> Double {
        if mu == 0 { return 0 }
        if mu.isInfinite { return 1 }
        let first = Self.logNormalCDF(mu / 2 - epsilon / mu)
        let second = epsilon + Self.logNormalCDF(-mu / 2 - epsilon / mu)
        return first <= second ? 0 : min(1, exp(first) * -expm1(second - first))
    }

    /// The smallest ε ≥ 0 with δ(ε) ≤ `delta`, to a relative 1e-13: bisection on the decreasing δ(ε),
    /// returning the bracket's upper end, so the answer is never below the exact one.
    package func epsilon(delta target: Double) -> Double {
        if mu == 0 || delta(epsilon: 0) <= target { return 0 }
        // ε ≤ μ²/2 + μ·√(2 log(1/δ)) (the Gaussian tail bound); double it to bracket safely.
        var high = 2 * (mu * mu / 2 + mu * (2 * log(1 / target)).squareRoot()) + 1
        while delta(epsilon: high) > target { high *= 2 }
        var low = 0.0
        while high - low > 1e-13 * high {
            let middle = (low + high) / 2
            if middle <= low || middle >= high { break }
            if delta(epsilon: middle) > target { low = middle } else { high = middle }
        }
        return high
    }
}
