import Federation
import Kernels
import Learning
import Privacy
import Testing

/// The budget inside the round: `FederatedTraining` alone runs a private run to its budget and stops
/// there, having released nothing of the round the budget refused — on any task.
@Suite struct PrivacyBudgetTests {
    static func privacy(budget: Double?) -> PrivacyConfiguration {
        var c = PrivacyConfiguration()
        c.mechanism = .gaussian
        c.clipBound = 1
        c.noiseMultiplier = 1.2
        c.accountant = .rdp
        c.delta = 1e-5
        c.epsilonBudget = budget
        return c
    }

    static func training(budget: Double?) -> FederatedTraining<MeanEstimationTask> {
        var configuration = FederatedTrainingConfiguration()
        configuration.sampling = .poisson(rate: 0.1)
        configuration.client.learningRate = 0.5
        configuration.seed = 4
        return FederatedTraining(task: MeanEstimationTask(), configuration: configuration, population: PointPopulation(userCount: 200),
                                 privacy: privacy(budget: budget), pool: ThreadPool(threadCount: 2))
    }

    /// ε after `rounds` rounds of this run's event, composed by a fresh accountant.
    static func epsilon(rounds: Int) throws -> Double {
        let c = privacy(budget: nil)
        let event = c.roundEvent(.gaussian(noiseMultiplier: c.noiseMultiplier), sampling: .poisson(rate: 0.1), population: 200)
        var accountant = RDPAccountant()
        try accountant.compose(event, count: rounds)
        return try accountant.epsilon(delta: c.delta)
    }

    @Test func aRunStopsAtItsBudgetAndReleasesNothingPastIt() throws {
        // A budget between what 5 and 6 rounds spend: 5 rounds run, the 6th is refused.
        let (five, six) = (try Self.epsilon(rounds: 5), try Self.epsilon(rounds: 6))
        let training = Self.training(budget: (five + six) / 2)
        var results: [RoundResult] = []
        for _ in 1...5 { results.append(try training.runRound()) }
        #expect(results.map(\.budgetExhausted) == [false, false, false, false, true])
        #expect(abs(results[4].epsilon! - five) < 1e-12 * five)
        #expect(results.allSatisfy { $0.contributed > 0 })
        let before = training.parameters.flat.scalars, ledger = training.privacyBudget!.ledgers
        #expect(throws: PrivacyBudgetExhausted.self) { try training.runRound() }
        #expect(training.completedRounds == 5)
        #expect(training.parameters.flat.scalars == before)
        #expect(training.privacyBudget!.ledgers == ledger && training.privacyBudget!.epsilon == results[4].epsilon)
        // It is refused again, for the same reason, rather than run on a changed state.
        #expect(throws: PrivacyBudgetExhausted.self) { try training.runRound() }
    }

    @Test func withoutABudgetTheSameRoundsRunOnAndSpendTheSame() throws {
        let limited = Self.training(budget: try Self.epsilon(rounds: 3) * 1.0001)
        let open = Self.training(budget: nil)
        for _ in 1...3 {
            let a = try limited.runRound(), b = try open.runRound()
            #expect(a.epsilon == b.epsilon && a.privacyEvent == b.privacyEvent)
        }
        #expect(limited.parameters.flat.scalars == open.parameters.flat.scalars)
        #expect(throws: PrivacyBudgetExhausted.self) { try limited.runRound() }
        #expect(try open.runRound().epsilon! > limited.privacyBudget!.epsilon)
    }

    /// The mean-estimation task learns: its error falls below the data's spread, through the same round.
    @Test func theToyTaskTrainsThroughTheGenericRound() throws {
        let training = Self.training(budget: nil)
        let heldOut = try HeldOutEvaluation(task: training.task, population: PointPopulation(userCount: 50), users: 50, batchSize: 8)
        let start = try #require(training.evaluate(heldOut).values["meanSquaredError"])
        for _ in 1...30 { _ = try training.runRound() }
        let end = try #require(training.evaluate(heldOut).values["meanSquaredError"])
        #expect(start > 25 && end < 8, "mean squared error \(start) → \(end) (the points' own spread is 4)")
    }
}
