import Foundation
import Kernels
import Privacy
import Testing

/// Moments and tails of each sampler against their distributions, on 200 000 draws: the tolerances
/// are about five standard errors, so a wrong scale or a lost sign fails and chance does not.
@Suite struct NoiseSamplerTests {
    static let draws = 200_000

    static func moments(_ values: [Double]) -> (mean: Double, variance: Double, kurtosis: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        let fourth = values.reduce(0) { $0 + pow($1 - mean, 4) } / n
        return (mean, variance, fourth / (variance * variance))
    }

    @Test func gaussianHasItsMomentsAndTails() {
        var stream = RandomStream(seed: 1, keys: [1])
        var buffer = [Float](repeating: 0, count: Self.draws)
        buffer.withUnsafeMutableBufferPointer { NoiseSampler.addGaussian(to: $0, standardDeviation: 2, stream: &stream) }
        let values = buffer.map(Double.init)
        let m = Self.moments(values)
        #expect(abs(m.mean) < 0.03 && abs(m.variance - 4) < 0.07 && abs(m.kurtosis - 3) < 0.06)
        // P(|X| > 3σ) = 0.0027.
        let tail = Double(values.filter { abs($0) > 6 }.count) / Double(Self.draws)
        #expect(abs(tail - 0.0027) < 0.0006)
    }

    @Test func laplaceHasItsMomentsAndTails() {
        var stream = RandomStream(seed: 2, keys: [1])
        let values = (0..<Self.draws).map { _ in NoiseSampler.laplace(scale: 1.5, stream: &stream) }
        let m = Self.moments(values)
        // Var = 2b², excess kurtosis 3 (kurtosis 6).
        #expect(abs(m.mean) < 0.03 && abs(m.variance - 4.5) < 0.12 && abs(m.kurtosis - 6) < 0.4)
        let tail = Double(values.filter { abs($0) > 3 * 1.5 }.count) / Double(Self.draws)  // e^(−3)
        #expect(abs(tail - exp(-3)) < 0.003)
    }

    /// For σ ≥ 1 the discrete Gaussian's variance is within 1e-3 of σ² (Canonne et al. 2020, Cor. 9);
    /// its mass at 0 is 1/Σ e^(−k²/(2σ²)).
    @Test func discreteGaussianHasItsMomentsAndMassAtZero() {
        var stream = RandomStream(seed: 3, keys: [1])
        let sigma = 3.0
        let draws = (0..<Self.draws).map { _ in NoiseSampler.discreteGaussian(sigma: sigma, stream: &stream) }
        let m = Self.moments(draws.map(Double.init))
        #expect(abs(m.mean) < 0.04 && abs(m.variance - 9) < 0.16)
        let normaliser = (-60...60).reduce(0.0) { $0 + exp(-Double($1 * $1) / (2 * sigma * sigma)) }
        let atZero = Double(draws.filter { $0 == 0 }.count) / Double(Self.draws)
        #expect(abs(atZero - 1 / normaliser) < 0.004)
    }

    @Test(arguments: [3.0, 40.0, 5000.0])
    func poissonHasItsMean(lambda: Double) {
        var stream = RandomStream(seed: 4, keys: [UInt64(lambda)])
        let values = (0..<Self.draws).map { _ in Double(NoiseSampler.poisson(mean: lambda, stream: &stream)) }
        let m = Self.moments(values)
        let standardError = (lambda / Double(Self.draws)).squareRoot()
        #expect(abs(m.mean - lambda) < 5 * standardError && abs(m.variance / lambda - 1) < 0.02)
    }

    @Test func skellamIsSymmetricWithItsVariance() {
        var stream = RandomStream(seed: 5, keys: [1])
        let values = (0..<Self.draws).map { _ in Double(NoiseSampler.skellam(variance: 50, stream: &stream)) }
        let m = Self.moments(values)
        #expect(abs(m.mean) < 0.08 && abs(m.variance / 50 - 1) < 0.02)
    }
}
