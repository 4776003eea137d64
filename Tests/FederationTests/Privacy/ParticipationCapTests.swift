import Federation
import Foundation
import Kernels
import Learning
import Privacy
import Testing

/// A participation cap is enforced by cohort sampling (no user past k rounds, none twice within b), is
/// what the accountant counts (min(k, ⌈t/b⌉) unamplified rounds), and survives a checkpoint; DP-FTRL's
/// ledger is the one Gaussian of μ = sens_t / z.
@Suite struct ParticipationCapTests {
    static func training(_ privacy: PrivacyConfiguration, sampling: CohortSampling = .poisson(rate: 0.3),
                         users: Int = 40) -> FederatedTraining<MeanEstimationTask> {
        var configuration = FederatedTrainingConfiguration()
        configuration.sampling = sampling
        configuration.client.learningRate = 0.5
        configuration.seed = 11
        return FederatedTraining(task: MeanEstimationTask(), configuration: configuration, population: PointPopulation(userCount: users),
                                 privacy: privacy, pool: ThreadPool(threadCount: 2))
    }

    static func capped(k: Int, b: Int, mechanism: PrivacyConfiguration.Mechanism = .gaussian) -> PrivacyConfiguration {
        var c = PrivacyBudgetTests.privacy(budget: nil)
        c.accountant = .pld
        c.mechanism = mechanism
        c.participation = ParticipationSchema(maxParticipations: k, minSeparation: b)
        if mechanism == .dpftrl { c.matrixFactorization = .treeAggregation }
        return c
    }

    @Test func noUserTakesPartMoreThanTheCapNorTooSoon() throws {
        let training = Self.training(Self.capped(k: 3, b: 4))
        var ledger = ParticipationLedger(schema: ParticipationSchema(maxParticipations: 3, minSeparation: 4))
        var sampledWithoutCap = 0, sampled = 0
        for round in 1...20 {
            let drawn = training.configuration.sampling.cohort(round: round, population: 40, seed: training.configuration.seed)
            let expected = ledger.eligible(drawn, round: round)
            let result = try training.runRound()
            #expect(result.sampled == expected.count)  // the run left out exactly the users the cap forbids
            ledger.record(expected, round: round)
            sampledWithoutCap += drawn.count
            sampled += result.sampled
        }
        let state = try #require(training.participation)
        #expect(state == ledger && state.maxCount == 3 && (0..<40).allSatisfy { state.count(of: $0) <= 3 })
        #expect(sampled <= 40 * 3 && sampledWithoutCap > sampled)  // the cap bit: uncapped, more would have taken part
    }

    /// ε is that of min(k, ⌈t/b⌉) Gaussians of multiplier z without sampling, whatever the sampling was.
    @Test func theAccountantCountsTheCapWithoutAmplification() throws {
        let c = Self.capped(k: 3, b: 4)
        let training = Self.training(c)
        for round in 1...14 {
            let result = try training.runRound()
            let participations = c.participation!.maxParticipations(inRounds: round)
            var reference = PLDAccountant(relation: .addOrRemoveOne)
            try reference.compose(.gaussian(noiseMultiplier: c.noiseMultiplier), count: participations)
            #expect(abs(result.epsilon! - (try reference.epsilon(delta: c.delta))) < 1e-9)
        }
    }

    /// A run stopped after round 7 and resumed from its checkpoint (through the file format) draws the same
    /// cohorts and ends with the same model and counts as one run straight through.
    @Test func theCapResumesExactlyFromTheCheckpoint() throws {
        let straight = Self.training(Self.capped(k: 2, b: 3))
        for _ in 1...14 { _ = try straight.runRound() }
        let first = Self.training(Self.capped(k: 2, b: 3))
        for _ in 1...7 { _ = try first.runRound() }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-cap-\(UUID().uuidString).ckpt")
        try first.checkpointState.write(to: url)
        let resumed = Self.training(Self.capped(k: 2, b: 3))
        try resumed.restore(try TrainingCheckpoint.read(from: url))
        for _ in 8...14 { _ = try resumed.runRound() }
        #expect(resumed.parameters.flat.scalars == straight.parameters.flat.scalars)
        #expect(resumed.participation == straight.participation && resumed.privacyBudget!.epsilon == straight.privacyBudget!.epsilon)
        // A checkpoint without counts is refused by a capped run.
        var bare = first.checkpointState
        bare.participation = nil
        #expect(throws: CheckpointError.self) { try Self.training(Self.capped(k: 2, b: 3)).restore(bare) }
    }

    /// DP-FTRL: after t rounds the ledger is one Gaussian of μ = sens_t / z (PLD closed form), and the noise
    /// the run adds matches the strategy's (its signal-to-noise uses the row norm of C⁻¹).
    @Test func dpftrlSpendsTheGaussianOfItsSensitivity() throws {
        let c = Self.capped(k: 2, b: 4, mechanism: .dpftrl)
        let training = Self.training(c)
        for round in 1...12 {
            let result = try training.runRound()
            let sensitivity = MatrixFactorization.treeAggregation.sensitivity(rounds: round, schema: c.participation!)
            var reference = PLDAccountant(relation: .addOrRemoveOne)
            try reference.compose(.gaussian(noiseMultiplier: c.noiseMultiplier / sensitivity), count: 1)
            #expect(abs(result.epsilon! - (try reference.epsilon(delta: c.delta))) < 1e-6 * result.epsilon!, "round \(round)")
            #expect(result.signalToNoise != nil)
        }
    }

    /// The noise DP-FTRL adds to a zero sum: each round's has variance σ²·Σ coefficients² (its row of C⁻¹),
    /// and the noise of rounds 1…t adds up to the tree's prefix noise — the popcount(t) interval vectors,
    /// variance popcount(t)·σ² — because regenerated vectors cancel exactly.
    @Test(arguments: [MatrixFactorization.treeAggregation, .bandedToeplitz(bands: 3)])
    func dpftrlNoiseIsTheStrategysRowsAndItsPrefixesTelescope(strategy: MatrixFactorization) throws {
        var c = PrivacyConfiguration()
        c.mechanism = .dpftrl
        c.matrixFactorization = strategy
        c.clipBound = 2
        c.noiseMultiplier = 0.7
        let step = DifferentialPrivacy(configuration: c, layout: DifferentialPrivacyTests.layout)
        let sigma = c.noiseMultiplier * c.clipBound
        var prefix = [Double](repeating: 0, count: DifferentialPrivacyTests.layout.count)
        for round in 1...7 {
            var aggregate = Aggregate(layout: DifferentialPrivacyTests.layout)
            aggregate.count(weight: 1, withinClipBound: nil)
            _ = try step.processServer(&aggregate, context: DifferentialPrivacyTests.context(round: round), sampling: .fixedSize(5)) { _, _ in }
            let noise = aggregate.sum.flat.scalars.map(Double.init)
            let rowNorm = strategy.noiseTerms(round: round).reduce(0) { $0 + $1.coefficient * $1.coefficient }
            DifferentialPrivacyTests.expectVariance(noise, sigma * sigma * rowNorm, kurtosis: 3, "\(strategy.summary) round \(round)")
            for index in prefix.indices { prefix[index] += noise[index] }
            // The accumulated noise has the variance the strategy says (popcount(t) interval vectors for the tree).
            let prefixNorm = strategy.prefixNoiseNorm(round: round)
            DifferentialPrivacyTests.expectVariance(prefix, sigma * sigma * prefixNorm * prefixNorm, kurtosis: 3,
                                                    "\(strategy.summary) prefix \(round)")
            if case .treeAggregation = strategy { #expect(abs(prefixNorm * prefixNorm - Double(round.nonzeroBitCount)) < 1e-12) }
        }
    }
}
