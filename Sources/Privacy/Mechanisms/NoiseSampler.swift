import Foundation
import Kernels

/// Draws the noise of every mechanism from the counter-based stream, so a run's noise is a function
/// of (seed, round, user) alone and replays bit for bit.
///
/// Continuous noise is drawn in double precision and added to single-precision buffers. The integer
/// samplers follow exact algorithms but in floating point (no arbitrary-precision rationals), which a
/// simulator can afford; Canonne, Kamath, Steinke 2020 warn that a deployment should not.
package enum NoiseSampler {
    /// Adds independent N(0, σ²) draws to `values`.
    package static func addGaussian(to values: UnsafeMutableBufferPointer<Float>, standardDeviation sigma: Double,
                                    stream: inout RandomStream) {
        guard sigma > 0 else { return }
        for index in values.indices { values[index] += Float(sigma * stream.normal()) }
    }

    /// Adds `scale` times independent N(0, 1) draws to `values`; `scale` may be negative, so that a
    /// regenerated noise vector can be subtracted exactly (DP-FTRL's correlated noise).
    package static func addScaledGaussian(to values: UnsafeMutableBufferPointer<Float>, scale: Double, stream: inout RandomStream) {
        guard scale != 0 else { return }
        for index in values.indices { values[index] += Float(scale * stream.normal()) }
    }

    /// One draw from Laplace(0, b), by inverting the CDF.
    package static func laplace(scale b: Double, stream: inout RandomStream) -> Double {
        let u = stream.uniformDouble() - 0.5  // [−0.5, 0.5)
        let magnitude = -b * log1p(-2 * abs(u))  // 1 − 2|u| ∈ (0, 1]: finite
        return u < 0 ? -magnitude : magnitude
    }

    /// Adds independent Laplace(0, b) draws to `values`.
    package static func addLaplace(to values: UnsafeMutableBufferPointer<Float>, scale b: Double, stream: inout RandomStream) {
        guard b > 0 else { return }
        for index in values.indices { values[index] += Float(laplace(scale: b, stream: &stream)) }
    }

    /// One draw from the discrete Gaussian N_ℤ(0, σ²): P(y) ∝ e^(−y²/(2σ²)) on the integers. Rejection
    /// from the discrete Laplace of scale t = ⌊σ⌋ + 1 (Canonne, Kamath, Steinke 2020, Algorithm 3); the
    /// discrete Laplace is the difference of two geometric draws.
    package static func discreteGaussian(sigma: Double, stream: inout RandomStream) -> Int {
        guard sigma > 0 else { return 0 }
        let t = floor(sigma) + 1
        while true {
            let y = geometric(scale: t, stream: &stream) - geometric(scale: t, stream: &stream)
            let excess = abs(Double(y)) - sigma * sigma / t
            if stream.uniformDouble() < exp(-excess * excess / (2 * sigma * sigma)) { return y }
        }
    }

    /// Number of failures before the first success of Bernoulli(1 − e^(−1/t)): ⌊−t·log U⌋.
    private static func geometric(scale t: Double, stream: inout RandomStream) -> Int {
        Int(floor(-t * log(1 - stream.uniformDouble())))
    }

    /// One Poisson(λ) draw: multiplication of uniforms below λ = 10, Hörmann's transformed rejection
    /// with squeeze (PTRS; Hörmann 1993, "The transformed rejection method for generating Poisson
    /// random variables") above.
    package static func poisson(mean lambda: Double, stream: inout RandomStream) -> Int {
        guard lambda > 0 else { return 0 }
        if lambda < 10 {
            let limit = exp(-lambda)
            var product = stream.uniformDouble(), count = 0
            while product > limit { product *= stream.uniformDouble(); count += 1 }
            return count
        }
        let root = lambda.squareRoot(), logLambda = log(lambda)
        let b = 0.931 + 2.53 * root, a = -0.059 + 0.02483 * b
        let inverseAlpha = 1.1239 + 1.1328 / (b - 3.4), acceptance = 0.9277 - 3.6224 / (b - 2)
        while true {
            let u = stream.uniformDouble() - 0.5, v = stream.uniformDouble()
            let us = 0.5 - abs(u)
            let k = floor((2 * a / us + b) * u + lambda + 0.43)
            if us >= 0.07 && v <= acceptance { return Int(k) }
            if k < 0 || (us < 0.013 && v > us) { continue }
            if log(v) + log(inverseAlpha) - log(a / (us * us) + b) <= -lambda + k * logLambda - LogSpace.logGamma(k + 1) {
                return Int(k)
            }
        }
    }

    /// One symmetric Skellam draw of variance μ: Poisson(μ/2) − Poisson(μ/2). Sums of independent
    /// Skellams are Skellam, so clients' shares add up to the central noise exactly.
    package static func skellam(variance mu: Double, stream: inout RandomStream) -> Int {
        poisson(mean: mu / 2, stream: &stream) - poisson(mean: mu / 2, stream: &stream)
    }
}
