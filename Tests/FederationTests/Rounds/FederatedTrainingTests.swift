import Federation
import Foundation
import Kernels
import Learning
import Tasks
import Testing

/// Rounds end to end on a small model: thread-count independence, exact resume, the weighted average.
@Suite struct FederatedTrainingTests {
    static func configuration() -> FederatedTrainingConfiguration {
        var configuration = FederatedTrainingConfiguration()
        configuration.sampling = .fixedSize(9)
        configuration.client.learningRate = 0.5
        configuration.client.weighting = .token
        configuration.server.kind = .fedadam
        configuration.server.learningRate = 0.02
        configuration.seed = 11
        return configuration
    }

    static let population = SmallLanguageTask.population
    static let task = SmallLanguageTask.task()

    static func train(rounds: Int, threads: Int) throws -> (FederatedTraining<LanguageModellingTask>, [RoundResult]) {
        let training = FederatedTraining(task: task, configuration: configuration(), population: population,
                                         pool: ThreadPool(threadCount: threads))
        let results = try (0..<rounds).map { _ in try training.runRound() }
        return (training, results)
    }

    @Test func oneAndTwoThreadsGiveBitIdenticalModels() throws {
        let (one, oneResults) = try Self.train(rounds: 3, threads: 1)
        let (two, twoResults) = try Self.train(rounds: 3, threads: 2)
        #expect(one.parameters.flat.scalars == two.parameters.flat.scalars)
        #expect(oneResults == twoResults)
        #expect(oneResults.allSatisfy { $0.contributed == 9 && $0.statistics.steps >= 9 })
    }

    @Test func resumingFromACheckpointMatchesAnUninterruptedRun() throws {
        let (uninterrupted, results) = try Self.train(rounds: 4, threads: 2)
        let (first, _) = try Self.train(rounds: 2, threads: 2)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-\(UUID().uuidString).bin")
        try first.checkpointState.write(to: url)
        let resumed = FederatedTraining(task: Self.task, configuration: Self.configuration(), population: Self.population,
                                        pool: ThreadPool(threadCount: 1))
        try resumed.restore(try TrainingCheckpoint.read(from: url))
        let later = try (0..<2).map { _ in try resumed.runRound() }
        #expect(resumed.parameters.flat.scalars == uninterrupted.parameters.flat.scalars)
        #expect(later == Array(results[2...]))
    }

    @Test func aggregateIsTheWeightedSumInCohortOrder() throws {
        var layout = ParameterLayout()
        _ = layout.add("w", shape: [3])
        func update(_ values: [Float], weight: Double, position: Int) -> ClientUpdate {
            ClientUpdate(cohortPosition: position, userIndex: position,
                         delta: ParameterSet(layout: layout, flat: Tensor(shape: [3], values: values)),
                         weight: weight, statistics: ClientStatistics())
        }
        let aggregator = WeightedSumAggregator(layout: layout)
        aggregator.add(update([1, 2, 3], weight: 2, position: 0))
        aggregator.add(update([10, 0, -1], weight: 0, position: 1))  // no data: left out
        aggregator.add(update([-1, 4, 0.5], weight: 3, position: 2))
        let aggregate = try #require(aggregator.finish())
        let expected: [Float] = [-1, 16, 7.5]  // 2·(1, 2, 3) + 3·(−1, 4, 0.5)
        #expect(aggregate.sum.flat.scalars == expected)
        #expect(aggregate.totalWeight == 5 && aggregate.normaliser == 5 && aggregate.contributors == 2)
    }

    @Test func fedAvgWithServerRateOneAppliesTheAverageUpdate() throws {
        var configuration = Self.configuration()
        configuration.server = ServerOptimization()  // FedAvg, learning rate 1
        configuration.client.weighting = .user
        let training = FederatedTraining(task: Self.task, configuration: configuration, population: Self.population,
                                         pool: ThreadPool(threadCount: 1))
        let before = training.parameters
        _ = try training.runRound()
        // Recompute the average of the cohort's updates by hand.
        let trainer = ClientTrainer(task: Self.task, model: Self.task.makeModel(seed: 0))
        var sum = ParameterSet(layout: before.layout)
        let cohort = configuration.sampling.cohort(round: 1, population: Self.population.userCount, seed: configuration.seed)
        for (position, user) in cohort.enumerated() {
            let update = trainer.train(Self.task.localData(for: try Self.population.user(at: user)), userIndex: user,
                                       cohortPosition: position,
                                       global: before, configuration: configuration.client, round: 1,
                                       seed: configuration.seed)
            sum.axpy(1, update.delta)
        }
        sum.scale(by: 1 / Float(cohort.count))
        let start = before.flat.scalars, average = sum.flat.scalars, got = training.parameters.flat.scalars
        var worst: Float = 0
        for i in start.indices { worst = max(worst, abs(start[i] + average[i] - got[i])) }
        #expect(worst <= 1e-5)
        #expect(got != before.flat.scalars)
    }
}
