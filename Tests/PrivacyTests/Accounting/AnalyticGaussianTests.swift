import Foundation
import MurmurTestSupport
import Privacy
import Testing

@Suite struct AnalyticGaussianTests {
    /// The closed form against the discretised distribution, where both can answer: the grid's answer is
    /// an upper bound within its resolution.
    @Test(arguments: [(2.0, 1, 1e-5), (2.0, 10, 1e-6), (5.0, 100, 1e-8), (1.0, 3, 1e-5)])
    func closedFormMatchesTheNumericDistribution(z: Double, steps: Int, delta: Double) throws {
        let exact = AnalyticGaussian(mu: Double(steps).squareRoot() / z).epsilon(delta: delta)
        let single = try PrivacyLossDistribution(pair: SubsampledGaussianLoss(noiseMultiplier: z, probability: 1, direction: .removal),
                                                 interval: 1e-4, tailMass: 1e-15)
        let numeric = single.selfComposed(count: steps, tailMass: 1e-15).epsilon(delta: delta)
        #expect(numeric >= exact * (1 - 1e-9), "z \(z) T \(steps): grid \(numeric) below the exact \(exact)")
        #expect(isClose(numeric, exact, rtol: 1e-4, atol: 1e-4), "z \(z) T \(steps): grid \(numeric) vs exact \(exact)")
    }

    /// ε(δ) inverts δ(ε): the returned ε meets δ, and a slightly smaller one does not.
    @Test(arguments: [0.01, 0.3, 1.0, 7.0, 200.0])
    func epsilonInvertsDelta(mu: Double) {
        let gaussian = AnalyticGaussian(mu: mu)
        for delta in [1e-8, 1e-5, 1e-3] {
            let epsilon = gaussian.epsilon(delta: delta)
            guard epsilon > 0 else { #expect(gaussian.delta(epsilon: 0) <= delta); continue }
            #expect(gaussian.delta(epsilon: epsilon) <= delta)
            #expect(gaussian.delta(epsilon: epsilon * (1 - 1e-9)) > delta * (1 - 1e-6))
        }
    }

    /// Balle & Wang's example values at sensitivity 1: μ = 1 (σ = 1) gives δ(1) = 0.126936… for three
    /// runs of σ = √3 (dp_accounting `test_gaussian_basic`), and ε stays finite far past e^ε's overflow.
    @Test func knownValuesAndLargeEpsilon() {
        #expect(abs(AnalyticGaussian(mu: 1).delta(epsilon: 1) - 0.126936) < 1e-6)
        let huge = AnalyticGaussian(mu: 200).epsilon(delta: 1e-5)
        // μ²/2 + μ·Φ⁻¹(1 − δ) is the leading behaviour: 20000 + 200·4.26…
        #expect(huge > 20_000 && huge < 21_000 && huge.isFinite)
        #expect(AnalyticGaussian(mu: 200).delta(epsilon: huge) <= 1e-5)
    }
}
