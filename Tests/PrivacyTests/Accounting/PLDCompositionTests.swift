import Foundation
import Kernels
import MurmurTestSupport
import Privacy
import Testing

/// How the PLD accountant composes: closed form, FFT powering, the adaptive grid and the cache — each
/// against a slower, obviously correct route, and its work counted rather than timed.
@Suite struct PLDCompositionTests {
    static let quickstartRound = DPEvent.sampledWithoutReplacement(sampleSize: 50, populationSize: 20_000,
                                                                   event: .gaussian(noiseMultiplier: 1))
    static let poissonRound = DPEvent.poissonSampled(probability: 0.0025, event: .gaussian(noiseMultiplier: 1))

    /// The real-input transform against the complex FFT of the same sequence, and back.
    @Test func realSpectrumMatchesTheComplexTransform() {
        var random = SystemRandomNumberGenerator()
        let values = (0..<48).map { _ in Double.random(in: 0...1, using: &random) }
        let spectrum = RealSpectrum(values, length: 64)
        var real = values + [Double](repeating: 0, count: 16), imaginary = [Double](repeating: 0, count: 64)
        FFTPlan(size: 64).forward(real: &real, imaginary: &imaginary)
        for k in 0...32 {
            #expect(abs(spectrum.real[k] - real[k]) < 1e-12 && abs(spectrum.imaginary[k] - imaginary[k]) < 1e-12, "k \(k)")
        }
        let back = spectrum.inverse()
        for index in 0..<64 { #expect(abs(back[index] - (index < 48 ? values[index] : 0)) < 1e-12) }
    }

    /// Self-composition by one FFT power over the Chernoff window equals composing one run at a time
    /// (linear convolutions, no window). The step-by-step route trims 1e-15 of tail to +∞ at every step,
    /// so it may sit above by that much δ (a relative 1e-7 in ε at δ = 1e-8), never below.
    @Test(arguments: [(1.0, 0.1, 7), (0.7, 0.5, 5), (0.5, 0.01, 12)])
    func selfCompositionEqualsRepeatedConvolution(z: Double, q: Double, count: Int) throws {
        for direction in LossDirection.allCases {
            let one = try PrivacyLossDistribution(pair: SubsampledGaussianLoss(noiseMultiplier: z, probability: q, direction: direction),
                                                  interval: 1e-3, tailMass: 1e-15)
            var repeated = one
            for _ in 1..<count { repeated = repeated.composed(with: one, tailMass: 1e-15) }
            let powered = one.selfComposed(count: count, tailMass: 1e-15)
            for delta in [1e-8, 1e-5, 1e-2] {
                #expect(isClose(powered.epsilon(delta: delta), repeated.epsilon(delta: delta), rtol: 1e-6, atol: 1e-9),
                        "\(direction) δ \(delta): \(powered.epsilon(delta: delta)) vs \(repeated.epsilon(delta: delta))")
            }
        }
    }

    /// A run composes one round at a time; the answer is the same, to the bit, as composing all rounds
    /// at once, with either sampling.
    @Test(arguments: [(NeighbouringRelation.replaceOne, quickstartRound), (.addOrRemoveOne, poissonRound)])
    func roundByRoundEqualsAllAtOnce(relation: NeighbouringRelation, event: DPEvent) throws {
        var incremental = PLDAccountant(relation: relation)
        var epsilons: [Double] = []
        for _ in 0..<30 {
            var candidate = incremental
            try candidate.compose(event, count: 1)
            epsilons.append(try candidate.epsilon(delta: 1e-6))
            incremental = candidate
        }
        var batch = PLDAccountant(relation: relation)
        try batch.compose(.selfComposed(event: event, count: 30), count: 1)
        #expect(try batch.epsilon(delta: 1e-6) == epsilons.last!)
        #expect(zip(epsilons, epsilons.dropFirst()).allSatisfy { $0 < $1 }, "ε must grow every round: \(epsilons)")
    }

    /// One more round costs the same work at round 3, 2000 or 200 000: the cached event distribution
    /// is reused and the power takes the same two transforms per direction, never longer than the
    /// window bound (here small, so the grid must coarsen as the rounds add up).
    @Test(arguments: [NeighbouringRelation.replaceOne, .addOrRemoveOne])
    func oneMoreRoundCostsTheSameAtAnyRound(relation: NeighbouringRelation) throws {
        let event = relation == .replaceOne ? Self.quickstartRound : Self.poissonRound
        let directions = relation == .replaceOne ? 1 : 2
        for (bound, rounds) in [(1 << 20, [2, 20, 200, 2000]), (1 << 15, [2, 2000, 200_000])] {
            for round in rounds {
                var accountant = PLDAccountant(relation: relation, maximumWindow: bound)
                try accountant.compose(event, count: round)
                _ = try accountant.epsilon(delta: 1e-6)  // the run's accountant after `round` rounds
                let before = accountant.work
                var next = accountant
                try next.compose(event, count: 1)
                _ = try next.epsilon(delta: 1e-6)
                let after = next.work
                #expect(after.transforms - before.transforms == 2 * directions, "round \(round): \(before) → \(after)")
                #expect(after.largestTransform <= bound, "round \(round): a transform of \(after.largestTransform)")
                // The event's distribution is rebuilt only when the grid coarsens (at most once per doubling).
                #expect(after.distributionsBuilt - before.distributionsBuilt <= directions, "round \(round)")
                // Reading δ after ε reuses the composition.
                _ = try next.delta(epsilon: 1)
                #expect(next.work.transforms == after.transforms && next.work.cacheHits > after.cacheHits)
            }
        }
    }

    /// ε grows with the steps — across the points where the grid coarsens, as a coarser connect-the-dots
    /// grid dominates a finer one — and falls with the noise and with δ.
    @Test func epsilonIsMonotone() throws {
        func epsilon(z: Double, q: Double, steps: Int, delta: Double) throws -> Double {
            var accountant = PLDAccountant(maximumWindow: 1 << 14)
            try accountant.compose(.poissonSampled(probability: q, event: .gaussian(noiseMultiplier: z)), count: steps)
            return try accountant.epsilon(delta: delta)
        }
        let steps = [1, 2, 5, 10, 30, 100, 300, 1000, 3000, 10_000]
        let overSteps = try steps.map { try epsilon(z: 1, q: 0.05, steps: $0, delta: 1e-6) }
        #expect(zip(overSteps, overSteps.dropFirst()).allSatisfy { $0 < $1 }, "\(overSteps)")
        let overNoise = try [0.6, 0.8, 1.0, 1.5, 3.0].map { try epsilon(z: $0, q: 0.05, steps: 500, delta: 1e-6) }
        #expect(zip(overNoise, overNoise.dropFirst()).allSatisfy { $0 > $1 }, "\(overNoise)")
        let overDelta = try [1e-9, 1e-7, 1e-5, 1e-3].map { try epsilon(z: 1, q: 0.05, steps: 500, delta: $0) }
        #expect(zip(overDelta, overDelta.dropFirst()).allSatisfy { $0 > $1 }, "\(overDelta)")
    }

    /// The coarsened grid stays within reach of the fine one: at 2^20 bins where the fine grid needs
    /// more, ε agrees to 1e-5 relative and is not below it by more than the FFT's round-off.
    @Test func coarsenedGridAgreesWithTheFineOne() throws {
        let event = DPEvent.poissonSampled(probability: 0.3, event: .gaussian(noiseMultiplier: 2))
        var coarse = PLDAccountant(maximumWindow: 1 << 16), fine = PLDAccountant(maximumWindow: 1 << 19)
        try coarse.compose(event, count: 400)
        try fine.compose(event, count: 400)
        let (a, b) = (try coarse.epsilon(delta: 1e-6), try fine.epsilon(delta: 1e-6))
        #expect(try coarse.distributions()[0].interval > fine.distributions()[0].interval)
        #expect(isClose(a, b, rtol: 1e-4), "coarse \(a) fine \(b)")
        #expect(a >= b * (1 - 1e-9), "coarse \(a) below fine \(b)")
    }

    /// The unsampled Gaussian takes no grid at all, however small the noise and long the run, and mixed
    /// ledgers fold all of its runs into one.
    @Test func unsampledGaussianIsClosedForm() throws {
        var accountant = PLDAccountant()
        try accountant.compose(.gaussian(noiseMultiplier: 0.5), count: 10_000)
        let epsilon = try accountant.epsilon(delta: 1e-5)
        #expect(epsilon == AnalyticGaussian(mu: 200).epsilon(delta: 1e-5))
        #expect(accountant.work.transforms == 0 && accountant.work.distributionsBuilt == 0)
        var mixed = PLDAccountant()
        try mixed.compose(.gaussian(noiseMultiplier: 3), count: 4)
        try mixed.compose(.poissonSampled(probability: 0.1, event: .gaussian(noiseMultiplier: 1)), count: 20)
        try mixed.compose(.gaussian(noiseMultiplier: 3), count: 5)
        let (gaussian, entries) = mixed.reduced()
        #expect(isClose(gaussian.mu, 1, rtol: 1e-12) && entries.count == 1 && entries[0].count == 20)
        var separate = PLDAccountant()
        try separate.compose(.gaussian(noiseMultiplier: 1), count: 1)
        try separate.compose(.poissonSampled(probability: 0.1, event: .gaussian(noiseMultiplier: 1)), count: 20)
        #expect(isClose(try mixed.epsilon(delta: 1e-6), try separate.epsilon(delta: 1e-6), rtol: 1e-12))
    }
}
