import Foundation
import MurmurTestSupport
import Privacy
import Testing

@Suite struct PLDAccountantTests {
    /// The analytic Gaussian mechanism (Balle & Wang 2018, Theorem 8): for sensitivity 1 and noise z,
    /// δ(ε) = Φ(1/(2z) − εz) − e^ε Φ(−1/(2z) − εz), solved for ε by bisection.
    static func analyticGaussianEpsilon(noiseMultiplier z: Double, delta: Double) -> Double {
        func analyticDelta(_ epsilon: Double) -> Double {
            let phi = { (x: Double) in 0.5 * erfc(-x / 2.0.squareRoot()) }
            return phi(1 / (2 * z) - epsilon * z) - exp(epsilon) * phi(-1 / (2 * z) - epsilon * z)
        }
        var low = 0.0, high = 500.0
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if analyticDelta(middle) > delta { low = middle } else { high = middle }
        }
        return high
    }

    @Test(arguments: [(0.5, 1e-5), (1.0, 1e-6), (2.0, 1e-5), (5.0, 1e-3)])
    func singleGaussianEqualsTheAnalyticMechanism(z: Double, delta: Double) throws {
        var accountant = PLDAccountant()
        try accountant.compose(.gaussian(noiseMultiplier: z), count: 1)
        let analytic = Self.analyticGaussianEpsilon(noiseMultiplier: z, delta: delta)
        let epsilon = try accountant.epsilon(delta: delta)
        #expect(isClose(epsilon, analytic, rtol: 1e-3), "z \(z): pld \(epsilon) vs analytic \(analytic)")
        #expect(epsilon >= analytic * (1 - 1e-9), "the pessimistic PLD must not undercut the exact value")
    }

    /// T Gaussians of multiplier z compose to one Gaussian of multiplier z/√T.
    @Test func composedGaussiansEqualOneWiderGaussian() throws {
        var accountant = PLDAccountant()
        try accountant.compose(.gaussian(noiseMultiplier: 10), count: 100)
        let analytic = Self.analyticGaussianEpsilon(noiseMultiplier: 1, delta: 1e-6)
        #expect(isClose(try accountant.epsilon(delta: 1e-6), analytic, rtol: 1e-3))
    }

    /// dp_accounting `pld_privacy_accountant_test.py`: `test_gaussian_basic` (z = √3, three runs:
    /// δ(1) = 0.126936) and `test_poisson_subsampled_gaussian` (q = 0.2, z = 0.5, three runs:
    /// δ(1) = 0.15594), both to 1e-3.
    @Test func gaussianValuesFromDPAccounting() throws {
        var plain = PLDAccountant()
        try plain.compose(.gaussian(noiseMultiplier: 3.0.squareRoot()), count: 1)
        try plain.compose(.gaussian(noiseMultiplier: 3.0.squareRoot()), count: 2)
        #expect(abs(try plain.delta(epsilon: 1) - 0.126936) < 1e-3)
        #expect(abs(try plain.epsilon(delta: 0.126936) - 1) < 1e-3)

        var sampled = PLDAccountant()
        try sampled.compose(.selfComposed(event: .poissonSampled(probability: 0.2, event: .gaussian(noiseMultiplier: 0.5)), count: 3), count: 1)
        #expect(abs(try sampled.delta(epsilon: 1) - 0.15594) < 1e-3)
        #expect(abs(try sampled.epsilon(delta: 0.15594) - 1) < 1e-3)
    }

    /// dp_accounting `test_laplace_basic` (Laplace b = 1 three times, b = 2 twice: pure ε = 4) and
    /// `test_poisson_subsampled_laplace` (q = 0.2, b = 0.5, three runs: ε = 2.46964), at δ = 1e-14.
    @Test func laplaceValuesFromDPAccounting() throws {
        var plain = PLDAccountant()
        try plain.compose(.laplace(noiseMultiplier: 1), count: 3)
        try plain.compose(.laplace(noiseMultiplier: 2), count: 2)
        #expect(abs(try plain.epsilon(delta: 1e-14) - 4) < 1e-3)

        var sampled = PLDAccountant()
        try sampled.compose(.poissonSampled(probability: 0.2, event: .laplace(noiseMultiplier: 0.5)), count: 3)
        #expect(abs(try sampled.epsilon(delta: 1e-14) - 2.46964) < 1e-3)
    }

    /// RDP is an upper bound on the tight answer, across sampling rates and noise.
    @Test(arguments: [(0.01, 1.0, 1000), (0.1, 2.0, 50), (0.005, 0.8, 3000), (1.0, 5.0, 20)])
    func rdpNeverBeatsPLD(q: Double, z: Double, steps: Int) throws {
        let event = DPEvent.poissonSampled(probability: q, event: .gaussian(noiseMultiplier: z))
        var pld = PLDAccountant(), rdp = RDPAccountant()
        try pld.compose(event, count: steps)
        try rdp.compose(event, count: steps)
        for delta in [1e-5, 1e-8] {
            let tight = try pld.epsilon(delta: delta), bound = try rdp.epsilon(delta: delta)
            #expect(bound >= tight, "q \(q) z \(z) T \(steps): rdp \(bound) < pld \(tight)")
            #expect(tight > 0)
        }
    }

    /// Sampling without replacement under replace-one with the whole population sampled is the
    /// Gaussian with sensitivity 2; a small sample costs far less than the whole.
    @Test func samplingWithoutReplacement() throws {
        var full = PLDAccountant(relation: .replaceOne)
        try full.compose(.sampledWithoutReplacement(sampleSize: 100, populationSize: 100, event: .gaussian(noiseMultiplier: 2)), count: 1)
        let analytic = Self.analyticGaussianEpsilon(noiseMultiplier: 1, delta: 1e-5)
        #expect(isClose(try full.epsilon(delta: 1e-5), analytic, rtol: 1e-3))

        var sample = PLDAccountant(relation: .replaceOne)
        try sample.compose(.sampledWithoutReplacement(sampleSize: 1, populationSize: 100, event: .gaussian(noiseMultiplier: 2)), count: 1)
        #expect(try sample.epsilon(delta: 1e-5) < analytic / 5)
    }

    @Test func refusesUnsupportedEventsBeforeChangingState() throws {
        var accountant = PLDAccountant()
        try accountant.compose(.gaussian(noiseMultiplier: 1), count: 1)
        #expect(throws: AccountingError.self) {
            try accountant.compose(.sampledWithoutReplacement(sampleSize: 1, populationSize: 10, event: .gaussian(noiseMultiplier: 1)), count: 1)
        }
        #expect(throws: AccountingError.self) {
            try accountant.compose(.skellam(variance: 10, l1Sensitivity: 1, l2Sensitivity: 1), count: 1)
        }
        #expect(accountant.ledger == [.selfComposed(event: .gaussian(noiseMultiplier: 1), count: 1)])
        var replace = PLDAccountant(relation: .replaceOne)
        #expect(throws: AccountingError.self) {
            try replace.compose(.poissonSampled(probability: 0.1, event: .gaussian(noiseMultiplier: 1)), count: 1)
        }
    }

    @Test func zeroProbabilityCostsNothing() throws {
        var accountant = PLDAccountant()
        try accountant.compose(.poissonSampled(probability: 0, event: .gaussian(noiseMultiplier: 1)), count: 10)
        #expect(try accountant.epsilon(delta: 1e-9) == 0)
    }
}
