import Foundation

/// Rényi-DP of single mechanisms at one order α: ε_α such that D_α(M(D) ‖ M(D')) ≤ ε_α for neighbours.
///
/// Everything is in units of the sensitivity. Sources: Mironov 2017 (Gaussian, Laplace); Mironov,
/// Talwar, Zhang 2019 §3.3 (Poisson-subsampled Gaussian, integer and fractional α, the series used by
/// dp_accounting's `_compute_log_a_int` / `_compute_log_a_frac`); Zhu & Wang 2019, Theorem 6 (Poisson
/// subsampling of any mechanism, integer α); Kairouz, Liu, Steinke 2021, Prop. 14 (distributed
/// discrete Gaussian); Agarwal, Kairouz, Liu 2021, Theorem 3.5 (Skellam).
package enum RDPCurves {
    /// Gaussian mechanism: α / (2z²).
    package static func gaussian(noiseMultiplier z: Double, order alpha: Double) -> Double {
        z == 0 ? .infinity : alpha / (2 * z * z)
    }

    /// Laplace mechanism of scale b (sensitivity 1), Mironov 2017 Table II:
    /// 1/(α−1) · log(α/(2α−1)·e^((α−1)/b) + (α−1)/(2α−1)·e^(−α/b)).
    package static func laplace(scale b: Double, order alpha: Double) -> Double {
        if b == 0 { return .infinity }
        let first = log(alpha / (2 * alpha - 1)) + (alpha - 1) / b
        let second = log((alpha - 1) / (2 * alpha - 1)) - alpha / b
        return LogSpace.add(first, second) / (alpha - 1)
    }

    /// Poisson-subsampled Gaussian: log(A_α)/(α−1), with A_α = E_{x∼N(0,z²)}[((1−q) + q·e^((2x−1)/(2z²)))^α].
    package static func poissonGaussian(probability q: Double, noiseMultiplier z: Double, order alpha: Double) -> Double {
        if q == 0 { return 0 }
        if z == 0 { return .infinity }
        if q == 1 { return gaussian(noiseMultiplier: z, order: alpha) }
        if alpha == .infinity { return .infinity }
        let logA = alpha == alpha.rounded() ? logAInteger(q: q, z: z, alpha: Int(alpha)) : logAFractional(q: q, z: z, alpha: alpha)
        return logA / (alpha - 1)
    }

    /// A_α for integer α as the finite binomial sum Σ_i C(α,i) q^i (1−q)^(α−i) e^((i²−i)/(2z²)).
    private static func logAInteger(q: Double, z: Double, alpha: Int) -> Double {
        var logA = -Double.infinity
        for i in 0...alpha {
            let term = LogSpace.logBinomial(Double(alpha), i) + Double(i) * log(q)
                + Double(alpha - i) * log1p(-q) + Double(i * i - i) / (2 * z * z)
            logA = LogSpace.add(logA, term)
        }
        return logA
    }

    /// A_α for fractional α: the two-sided series of Mironov, Talwar, Zhang 2019, §3.3, summed until
    /// its terms fall below e^(−30) of the leading ones.
    private static func logAFractional(q: Double, z: Double, alpha: Double) -> Double {
        var logA0 = -Double.infinity, logA1 = -Double.infinity
        let z0 = z * z * log(1 / q - 1) + 0.5
        var coefficient = 1.0  // C(α, i), sign included
        var i = 0
        while true {
            let di = Double(i), j = alpha - di
            let logCoefficient = log(abs(coefficient))
            let logT0 = logCoefficient + di * log(q) + j * log1p(-q)
            let logT1 = logCoefficient + j * log(q) + di * log1p(-q)
            let logE0 = log(0.5) + LogSpace.logErfc((di - z0) / (2.0.squareRoot() * z))
            let logE1 = log(0.5) + LogSpace.logErfc((z0 - j) / (2.0.squareRoot() * z))
            let logS0 = logT0 + (di * di - di) / (2 * z * z) + logE0
            let logS1 = logT1 + (j * j - j) / (2 * z * z) + logE1
            if coefficient > 0 {
                logA0 = LogSpace.add(logA0, logS0)
                logA1 = LogSpace.add(logA1, logS1)
            } else {
                logA0 = logA0 >= logS0 ? LogSpace.subtract(logA0, logS0) : -.infinity
                logA1 = logA1 >= logS1 ? LogSpace.subtract(logA1, logS1) : -.infinity
            }
            i += 1
            coefficient *= (alpha - Double(i - 1)) / Double(i)
            if max(logS0, logS1) < -30 || i > 100_000 { break }
        }
        return LogSpace.add(logA0, logA1)
    }

    /// Any mechanism with integer-order RDP curve `epsilon`, Poisson-subsampled with probability q:
    /// the general upper bound of Zhu & Wang 2019, Theorem 6, for integer α ≥ 2.
    package static func poissonSubsampled(probability q: Double, order alpha: Int, epsilon: (Int) -> Double) -> Double {
        if q == 0 { return 0 }
        if q == 1 { return epsilon(alpha) }
        var terms = [log1p(-q) * Double(alpha - 1) + log(Double(alpha) * q - q + 1)]
        terms.append(LogSpace.logBinomial(Double(alpha), 2) + 2 * log(q) + Double(alpha - 2) * log1p(-q) + epsilon(2))
        if alpha >= 3 {
            for l in 3...alpha {
                terms.append(log(3) + Double(l - 1) * epsilon(l) + LogSpace.logBinomial(Double(alpha), l)
                    + Double(alpha - l) * log1p(-q) + Double(l) * log(q))
            }
        }
        let logA = terms.reduce(-Double.infinity, LogSpace.add)
        return min(logA / Double(alpha - 1), epsilon(alpha))
    }

    /// The sum of n discrete Gaussians (Kairouz, Liu, Steinke 2021, Prop. 14): the minimum of three
    /// bounds, each the Gaussian term plus a correction τ for the sum not being exactly discrete Gaussian.
    package static func distributedDiscreteGaussian(localStandardDeviation sigma: Double, clients n: Int, dimension d: Int,
                                                    l1Sensitivity: Double, l2Sensitivity: Double, order alpha: Int) -> Double {
        if sigma == 0 { return .infinity }
        var tau = 0.0
        if n > 1 {
            for k in 1..<n { tau += exp(-2 * pow(Double.pi * sigma, 2) * Double(k) / Double(k + 1)) }
        }
        tau *= 10
        let central = Double(n).squareRoot() * sigma
        let l1 = l1Sensitivity / central, l2 = l2Sensitivity / central
        let a = Double(alpha), dd = Double(d)
        let first = a / 2 * l2 * l2 + tau * dd
        let second = a / 2 * (l2 * l2 + 2 * l1 * tau + tau * tau * dd)
        let third = a / 2 * pow(l2 + dd.squareRoot() * tau, 2)
        return min(first, second, third)
    }

    /// Skellam noise of variance μ per coordinate (Agarwal, Kairouz, Liu 2021, Theorem 3.5):
    /// αΔ₂²/(2μ) + min(((2α−1)Δ₂² + 6Δ₁)/(4μ²), 3Δ₁/(2μ)).
    package static func skellam(variance mu: Double, l1Sensitivity: Double, l2Sensitivity: Double, order alpha: Int) -> Double {
        if mu == 0 { return .infinity }
        let a = Double(alpha), l2Squared = l2Sensitivity * l2Sensitivity
        return a * l2Squared / (2 * mu)
            + min(((2 * a - 1) * l2Squared + 6 * l1Sensitivity) / (4 * mu * mu), 3 * l1Sensitivity / (2 * mu))
    }
}
