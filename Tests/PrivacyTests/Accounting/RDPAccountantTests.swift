import Foundation
import MurmurTestSupport
import Testing
import Privacy

@Suite struct RDPAccountantTests {
    /// dp_accounting `rdp_privacy_accountant_test.py`, `test_compute_rdp_poisson_sampled_gaussian`:
    /// q = 0.01, z = 2.5, 50 steps, at fractional, integer and large orders, rtol 1e-4. (That test also
    /// lists 6.70579741e-4 at α = 1.5; quadrature of the defining integral gives 6.50067e-4, which is
    /// what we compute — see `fractionalOrderMatchesQuadrature`.)
    @Test func poissonGaussianMatchesDPAccountingValues() throws {
        var accountant = RDPAccountant(orders: [2.5, 5, 50, 100])
        try accountant.compose(.poissonSampled(probability: 0.01, event: .gaussian(noiseMultiplier: 2.5)), count: 50)
        let expected = [1.08548710e-03, 2.18075656e-03, 2.38460375e-02, 1.67416308e02]
        for (actual, value) in zip(accountant.rdp, expected) {
            #expect(isClose(actual, value, rtol: 1e-4), "rdp \(actual) vs \(value)")
        }
    }

    /// The slow exact oracle: A_α = ∫ N(x; 0, z²) · ((1−q) + q·e^((2x−1)/(2z²)))^α dx by the trapezoid
    /// rule on a fine grid, against the series, at fractional orders.
    @Test func fractionalOrderMatchesQuadrature() {
        for (q, z, alpha) in [(0.01, 2.5, 1.5), (0.05, 1.0, 3.7), (0.2, 0.8, 1.25)] {
            let step = 1e-3
            var integral = 0.0
            for k in -60_000...60_000 {
                let x = Double(k) * step
                let density = exp(-x * x / (2 * z * z)) / (z * (2 * Double.pi).squareRoot())
                integral += density * pow((1 - q) + q * exp((2 * x - 1) / (2 * z * z)), alpha) * step
            }
            let oracle = log(integral) / (alpha - 1)
            let series = RDPCurves.poissonGaussian(probability: q, noiseMultiplier: z, order: alpha)
            #expect(isClose(series, oracle, rtol: 1e-6), "q \(q) z \(z) α \(alpha): \(series) vs \(oracle)")
        }
    }

    /// dp_accounting `test_compute_epsilon_delta_pure_dp`: constant RDP 1.1 over orders 2…32, δ = 1e-5
    /// gives ε = 1.32783806176 at order 32 (the Canonne–Kamath–Steinke conversion).
    @Test func conversionMatchesHandComputedValue() {
        let orders = (2...32).map(Double.init)
        let result = RDPAccountant.epsilon(rdp: Array(repeating: 1.1, count: orders.count), orders: orders, delta: 1e-5)
        #expect(abs(result.epsilon - 1.32783806176) < 1e-9)
        #expect(result.order == 32)
    }

    /// dp_accounting `test_compute_epsilon_delta_gaussian`: z = 4.530877117 with orders 1.000…99.999 is
    /// exactly (1, 1e-6)-DP, and δ(ε = 1) comes back as 1e-6.
    @Test func gaussianCalibratedPointRoundTrips() throws {
        var accountant = RDPAccountant(orders: (1000..<100_000).map { 0.001 * Double($0) }.filter { $0 > 1 })
        try accountant.compose(.gaussian(noiseMultiplier: 4.530877117), count: 1)
        #expect(abs(try accountant.epsilon(delta: 1e-6) - 1) < 1e-6)
        #expect(abs(try accountant.delta(epsilon: 1) - 1e-6) < 1e-11)
    }

    /// Abadi et al. 2016, §3.1: q = 0.01, σ = 4, δ = 1e-5, T = 10 000 gives ε ≈ 1.26 with the moments
    /// accountant (integer orders up to 32, ε = min (T·rdp(λ) + log(1/δ))/… in Mironov's form).
    @Test func momentsAccountantReproducesAbadi() throws {
        let orders = (2...32).map(Double.init)
        let curve = try RDPAccountant.curve(of: .poissonSampled(probability: 0.01, event: .gaussian(noiseMultiplier: 4)), orders: orders)
        let mironov = zip(orders, curve).map { alpha, rdp in 10_000 * rdp + log(1 / 1e-5) / (alpha - 1) }.min()!
        #expect(abs(mironov - 1.26) < 0.005, "moments-accountant ε \(mironov)")
        // The improved conversion can only be tighter.
        var accountant = RDPAccountant()
        try accountant.compose(.poissonSampled(probability: 0.01, event: .gaussian(noiseMultiplier: 4)), count: 10_000)
        #expect(try accountant.epsilon(delta: 1e-5) < mironov)
    }

    @Test func integerAndFractionalSeriesAgreeAcrossAnInteger() {
        // log A at α = 7 by the binomial sum, and at α = 7 ± 1e-7 by the two-sided series.
        let exact = RDPCurves.poissonGaussian(probability: 0.05, noiseMultiplier: 0.8, order: 7)
        let below = RDPCurves.poissonGaussian(probability: 0.05, noiseMultiplier: 0.8, order: 7 - 1e-7)
        let above = RDPCurves.poissonGaussian(probability: 0.05, noiseMultiplier: 0.8, order: 7 + 1e-7)
        #expect(isClose(below, exact, rtol: 1e-5) && isClose(above, exact, rtol: 1e-5))
    }

    @Test func compositionAddsCurvesAndFoldsTheLedger() throws {
        var once = RDPAccountant(orders: [2.71828])
        try once.compose(.gaussian(noiseMultiplier: 3.14159), count: 1)
        var six = RDPAccountant(orders: [2.71828])
        try six.compose(.gaussian(noiseMultiplier: 3.14159), count: 2)
        try six.compose(.selfComposed(event: .gaussian(noiseMultiplier: 3.14159), count: 4), count: 1)
        #expect(isClose(six.rdp[0], 6 * once.rdp[0], rtol: 1e-12))
        #expect(six.ledger.count == 2)
    }

    @Test func refusesWhatItCannotAccountBeforeChangingState() throws {
        var accountant = RDPAccountant()
        try accountant.compose(.gaussian(noiseMultiplier: 1), count: 1)
        let before = accountant.rdp
        #expect(throws: AccountingError.self) {
            try accountant.compose(.sampledWithoutReplacement(sampleSize: 10, populationSize: 100, event: .gaussian(noiseMultiplier: 1)), count: 1)
        }
        #expect(throws: AccountingError.self) {
            try accountant.compose(.poissonSampled(probability: 0.1, event: .laplace(noiseMultiplier: 1)), count: 1)
        }
        #expect(accountant.rdp == before && accountant.ledger.count == 1)
    }

    @Test func zeroSamplingIsFreeAndZeroNoiseIsInfinite() throws {
        var free = RDPAccountant()
        try free.compose(.poissonSampled(probability: 0, event: .gaussian(noiseMultiplier: 1)), count: 100)
        #expect(try free.epsilon(delta: 1e-10) == 0)
        var open = RDPAccountant()
        try open.compose(.gaussian(noiseMultiplier: 0), count: 1)
        #expect(try open.epsilon(delta: 0.1) == .infinity)
    }

    /// Skellam's bound approaches the Gaussian's as its variance grows (the discretisation surcharge
    /// vanishes), and the distributed discrete Gaussian's does too once σ is large (τ → 0).
    @Test func integerMechanismsApproachTheGaussian() {
        let gaussian = RDPCurves.gaussian(noiseMultiplier: 1000.0.squareRoot() / 1, order: 8)  // Δ₂ = 1, σ² = 1000
        let skellam = RDPCurves.skellam(variance: 1000, l1Sensitivity: 1, l2Sensitivity: 1, order: 8)
        #expect(skellam >= gaussian && isClose(skellam, gaussian, rtol: 1e-2))
        let discrete = RDPCurves.distributedDiscreteGaussian(localStandardDeviation: 10, clients: 10, dimension: 100,
                                                             l1Sensitivity: 10, l2Sensitivity: 1, order: 8)
        let continuous = RDPCurves.gaussian(noiseMultiplier: 10 * 10.0.squareRoot(), order: 8)
        #expect(discrete >= continuous && isClose(discrete, continuous, rtol: 1e-6))
    }
}
