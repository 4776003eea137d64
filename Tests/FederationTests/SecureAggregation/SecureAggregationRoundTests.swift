import Federation
import Kernels
import Learning
import Privacy
import SecureAggregation
import Tasks
import Testing

/// Rounds with secure aggregation: the model moves as with the plain sum (up to the ring's
/// quantisation), the same on 1 or 2 threads, dropouts leave exactly the survivors in the sum, a
/// round with too few survivors changes nothing, and distributed DP's integers pass the ring exactly.
@Suite struct SecureAggregationRoundTests {
    static func configuration() -> FederatedTrainingConfiguration {
        var configuration = FederatedTrainingConfiguration()
        configuration.sampling = .fixedSize(10)
        configuration.client.learningRate = 0.5
        configuration.server.kind = .fedavg
        configuration.server.learningRate = 1
        configuration.seed = 3
        return configuration
    }

    static let population = SyntheticPopulation(language: SyntheticLanguage(vocabularySize: 60, seed: 1), users: 200, seed: 2)
    static let task = SmallLanguageTask.task()

    static func secure(_ edit: (inout SecureAggregationConfiguration) -> Void = { _ in }) -> SecureAggregationConfiguration {
        var c = SecureAggregationConfiguration()
        c.neighbours = 4
        c.clipBound = 1_000  // far above any update here: nothing is clipped, so the plain run is comparable
        edit(&c)
        return c
    }

    static func train(rounds: Int, threads: Int, secure: SecureAggregationConfiguration?, privacy: PrivacyConfiguration? = nil,
                      sampling: CohortSampling = .fixedSize(10)) throws -> (FederatedTraining<LanguageModellingTask>, [RoundResult]) {
        var configuration = configuration()
        configuration.sampling = sampling
        let training = FederatedTraining(task: task, configuration: configuration, population: population, privacy: privacy,
                                         secureAggregation: secure, pool: ThreadPool(threadCount: threads))
        return (training, try (0..<rounds).map { _ in try training.runRound() })
    }

    @Test func secureRoundMovesTheModelAsThePlainSumDoes() throws {
        let (plain, _) = try Self.train(rounds: 2, threads: 2, secure: nil)
        let (secure, results) = try Self.train(rounds: 2, threads: 2, secure: Self.secure())
        // One ring unit is 1000·10/2³¹ ≈ 5·10⁻⁶ of the summed update; two rounds of FedAvg at rate 1.
        let worst = zip(plain.parameters.flat.scalars, secure.parameters.flat.scalars).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-5)
        let changed = plain.parameters.flat.scalars != secure.parameters.flat.scalars
        #expect(changed)  // it did go through the ring
        #expect(results.allSatisfy { $0.contributed == 10 && $0.secureAggregation?.survivors == [10, 10, 10, 10] })
    }

    /// Without a set k, SecAgg+ takes Bell et al.'s bound for the cohort and the assumed fractions (a
    /// configured dropout raises δ to its binomial tail); a set k keeps ⌊fraction · k⌋ + 1; with 45% dropout against a
    /// malicious server (γ + 2δ > 0.9) no Harary graph meets it, so the complete graph.
    @Test func graphParametersComeFromTheBoundUnlessKIsSet() {
        var c = SecureAggregationConfiguration()
        #expect(c.graphParameters(clientCount: 100) == (false, 16, 11))
        c.threatModel = .semiHonest
        #expect(c.graphParameters(clientCount: 100) == (false, 12, 7))
        // 33% dropping: Binomial(100, 0.33) exceeds 56 with probability below 2⁻²⁰, so δ = 0.56.
        c.dropoutRates = [0, 0, 0.33, 0]
        #expect(abs(c.assumedFractions(clientCount: 100).dropout - 0.56) < 1e-12)
        #expect(c.graphParameters(clientCount: 100) == (false, 48, 8))
        c.neighbours = 9
        #expect(c.graphParameters(clientCount: 100) == (false, 10, 6))
        var small = SecureAggregationConfiguration()
        small.dropoutRates = [0, 0, 0.45, 0]
        #expect(small.graphParameters(clientCount: 10) == (true, 9, 5))
    }

    @Test func secureRunIsIdenticalOnOneAndTwoThreads() throws {
        let c = Self.secure { $0.dropoutRates = [0.05, 0.05, 0.1, 0.05] }
        let (one, oneResults) = try Self.train(rounds: 3, threads: 1, secure: c)
        let (two, twoResults) = try Self.train(rounds: 3, threads: 2, secure: c)
        let identical = one.parameters.flat.scalars == two.parameters.flat.scalars
        #expect(identical)
        #expect(oneResults.map(\.secureAggregation?.survivors) == twoResults.map(\.secureAggregation?.survivors))
        #expect(oneResults.map(\.contributed) == twoResults.map(\.contributed))
    }

    /// With clients dropping at the masked-input step, the aggregate holds exactly the survivors: the
    /// contributor count is the third step's survivors and dropped clients still trained.
    @Test func dropoutsLeaveExactlyTheSurvivors() throws {
        // SecAgg's complete graph: each dropped client's key has 9 holders, 5 of whom must answer.
        let c = Self.secure {
            $0.protocolKind = .secagg
            $0.neighbours = nil
            $0.dropoutRates = [0, 0, 0.3, 0]
        }
        let (_, results) = try Self.train(rounds: 3, threads: 2, secure: c)
        for result in results {
            let report = try #require(result.secureAggregation)
            #expect(report.failure == nil)
            #expect(report.survivors[0] == 10 && report.survivors[1] == 10)
            #expect(result.contributed == report.survivors[2])
            #expect(result.dropped == 10 - report.survivors[2])
            #expect(result.statistics.examples > 0)
        }
        #expect(results.contains { $0.dropped > 0 })
    }

    @Test func roundWithTooFewSurvivorsChangesNothing() throws {
        let c = Self.secure { $0.dropoutRates = [0, 0, 0.95, 0] }
        let training = FederatedTraining(task: Self.task, configuration: Self.configuration(), population: Self.population,
                                         secureAggregation: c, pool: ThreadPool(threadCount: 2))
        let before = training.parameters.flat.scalars
        let result = try training.runRound()
        #expect(result.secureAggregation?.failure != nil)
        #expect(result.contributed == 0 && result.updateNorm == 0)
        let unchanged = training.parameters.flat.scalars == before
        #expect(unchanged)
        #expect(training.completedRounds == 1)
    }

    /// Distributed DP: clients' noised integers go through the ring exactly, so the model equals the
    /// one from summing the same integers in the clear.
    @Test func integerMechanismPassesTheRingExactly() throws {
        var privacy = PrivacyConfiguration()
        privacy.mechanism = .discreteGaussian
        privacy.noiseMultiplier = 1
        privacy.delta = 1e-5
        privacy.accountant = .rdp
        var c = Self.secure()
        c.clipBound = nil
        // Poisson sampling: the distributed mechanism is accounted under add-or-remove-one, which RDP covers.
        let (plain, _) = try Self.train(rounds: 2, threads: 2, secure: nil, privacy: privacy, sampling: .poisson(rate: 0.05))
        let (secure, _) = try Self.train(rounds: 2, threads: 2, secure: c, privacy: privacy, sampling: .poisson(rate: 0.05))
        let identical = plain.parameters.flat.scalars == secure.parameters.flat.scalars
        #expect(identical)
    }
}
