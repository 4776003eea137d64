import Foundation

/// Numerics the accountants share: sums of exponentials kept in log space and the normal
/// distribution's tails, accurate far out where δ ≈ 1e-15 lives.
///
/// Privacy losses multiply tiny probabilities by huge ratios, so every quantity that can under- or
/// overflow is carried as its logarithm (dp_accounting `_log_add`, `_log_sub`, `_log_erfc`).
package enum LogSpace {
    /// log(e^a + e^b), exact when either is −∞.
    package static func add(_ a: Double, _ b: Double) -> Double {
        let high = max(a, b), low = min(a, b)
        if high == -.infinity { return -.infinity }
        return high + log1p(exp(low - high))
    }

    /// log(e^a − e^b) for a ≥ b; −∞ when they are equal.
    package static func subtract(_ a: Double, _ b: Double) -> Double {
        precondition(a >= b, "LogSpace.subtract: the result would be negative")
        if b == -.infinity { return a }
        if a == b { return -.infinity }
        // log(e^a − e^b) = a + log(1 − e^(b−a)), with expm1 keeping precision when b is close to a.
        return a + log(-expm1(b - a))
    }

    /// log erfc(x), finite for every x (erfc underflows past x ≈ 26; the asymptotic series takes over).
    package static func logErfc(_ x: Double) -> Double {
        if x < 25 { return log(erfc(x)) }
        // erfc(x) = e^(−x²)/(x√π) · (1 − 1/(2x²) + 3/(4x⁴) − 15/(8x⁶) + …): at x ≥ 25 the fourth term
        // is below 1e-16 of the first.
        let r = 1 / (x * x)
        let series = 1 - r / 2 + 3 * r * r / 4 - 15 * r * r * r / 8
        return -x * x - log(x) - 0.5 * log(Double.pi) + log(series)
    }

    /// P(N(0,1) > x), accurate in the upper tail (erfc rather than 1 − Φ).
    package static func normalSurvival(_ x: Double) -> Double {
        0.5 * erfc(x / 2.0.squareRoot())
    }

    /// P(N(0,1) ≤ x), accurate in the lower tail.
    package static func normalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x / 2.0.squareRoot())
    }

    /// The x with P(N(0,1) > x) = `tail`, for 0 < tail < 1, by bisection on the accurate survival
    /// function (a few dozen erfc calls; used only to set truncation bounds).
    package static func normalUpperQuantile(_ tail: Double) -> Double {
        precondition(tail > 0 && tail < 1, "normalUpperQuantile: tail must be in (0, 1)")
        var low = -40.0, high = 40.0
        for _ in 0..<200 where high - low > 1e-13 {
            let middle = (low + high) / 2
            if normalSurvival(middle) > tail { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// log C(n, k) for real n ≥ 0 and integer 0 ≤ k ≤ n, by the log-gamma function (thread-safe
    /// `lgamma_r`, as the plain `lgamma` writes a global sign).
    package static func logBinomial(_ n: Double, _ k: Int) -> Double {
        logGamma(n + 1) - logGamma(Double(k) + 1) - logGamma(n - Double(k) + 1)
    }

    /// log Γ(x) for x > 0.
    package static func logGamma(_ x: Double) -> Double {
        var sign: Int32 = 0
        return lgamma_r(x, &sign)
    }
}
