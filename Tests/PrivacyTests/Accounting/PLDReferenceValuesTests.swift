import Foundation
import MurmurTestSupport
import Privacy
import Testing

/// The PLD accountant against values recorded from Google's dp_accounting 0.6 (`PLDAccountant()` at
/// its defaults: interval 1e-4, connect-the-dots, pessimistic), over the regime grid of
/// `Benchmarks/privacy/pld_grid.py`, and its pessimism against the exact curve of one event.
@Suite struct PLDReferenceValuesTests {
    /// (z, q, T, δ, dp_accounting's ε) at grid points cheap enough for a test (windows ≤ 2¹⁹ bins),
    /// from `Benchmarks/privacy/pld_grid-results.txt`; q = 1 is the closed form.
    static let recorded: [(z: Double, q: Double, steps: Int, delta: Double, epsilon: Double)] = [
        (1.5, 1e-4, 100, 1e-5, 0.001732738301),
        (1.5, 0.01, 100, 1e-5, 0.2921192457),
        (1.5, 0.01, 100, 1e-8, 0.471888522),
        (1.5, 0.3, 1, 1e-8, 2.410578215),
        (5, 1e-4, 10_000, 1e-8, 0.01689993794),
        (5, 0.01, 10_000, 1e-5, 0.7363973944),
        (5, 0.3, 100, 1e-5, 2.532352306),
        (1.5, 1, 100, 1e-8, 58.91142772),
        (0.5, 1, 100, 1e-5, 284.3918495),
    ]

    /// The same six significant digits as dp_accounting (a relative 5e-7; measured: ≤ 6e-8 at these points).
    @Test(arguments: recorded.indices)
    func matchesDPAccounting(index: Int) throws {
        let point = Self.recorded[index]
        var accountant = PLDAccountant()
        let base = DPEvent.gaussian(noiseMultiplier: point.z)
        try accountant.compose(point.q == 1 ? base : .poissonSampled(probability: point.q, event: base), count: point.steps)
        let epsilon = try accountant.epsilon(delta: point.delta)
        #expect(isClose(epsilon, point.epsilon, rtol: 5e-7), "z \(point.z) q \(point.q) T \(point.steps) δ \(point.delta): \(epsilon) vs \(point.epsilon)")
    }

    /// One run's discretised δ(ε) never falls below the exact hockey-stick curve, on and between grid
    /// points, in both directions, for the sampled Gaussian with and without replacement; so neither
    /// does the ε read off it.
    @Test(arguments: [(0.7, 0.3), (1.5, 0.01), (3.0, 1.0)])
    func oneRunIsPessimistic(z: Double, q: Double) throws {
        let pairs: [any PrivacyLossPair] = [
            SubsampledGaussianLoss(noiseMultiplier: z, probability: q, direction: .removal),
            SubsampledGaussianLoss(noiseMultiplier: z, probability: q, direction: .addition),
            SampledWithoutReplacementGaussianLoss(noiseMultiplier: z, probability: q),
        ]
        for pair in pairs {
            let interval = 1e-3
            let grid = try PrivacyLossDistribution(pair: pair, interval: interval, tailMass: 1e-15)
            for step in 0..<400 {
                // Off-grid ε (a third of a cell past each grid point) as well as on it.
                let epsilon = Double(step) * interval * 7 / 3
                let exact = pair.delta(epsilon: epsilon), discrete = grid.delta(epsilon: epsilon)
                // On grid points the two agree up to the round-off of summing the masses back (1e-14 relative).
                #expect(discrete >= exact * (1 - 1e-12) - 1e-15, "\(pair) ε \(epsilon): grid \(discrete) below exact \(exact)")
            }
            for delta in [1e-8, 1e-5, 1e-2] {
                // The exact ε: bisection on the exact curve.
                var low = 0.0, high = 50.0
                for _ in 0..<100 {
                    let middle = (low + high) / 2
                    if pair.delta(epsilon: middle) > delta { low = middle } else { high = middle }
                }
                #expect(grid.epsilon(delta: delta) >= low, "\(pair) δ \(delta): grid \(grid.epsilon(delta: delta)) below exact \(low)")
            }
        }
    }
}
