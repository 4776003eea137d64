import Federation
import Foundation
import Kernels
import Learning
import SecureAggregation
import Tasks
import Testing

/// Partial training end to end on a small model: PEU freezes what it does not select, LoRA leaves the base
/// alone (or folds adapters in), the sent vector is the update space's, and memory caps refuse tasks.
@Suite struct PartialTrainingTests {
    static let population = SmallLanguageTask.population
    static let task = SmallLanguageTask.task(withUnigram: true)

    static func configuration(_ partial: PartialTraining) -> FederatedTrainingConfiguration {
        var configuration = FederatedTrainingConfiguration()
        configuration.sampling = .fixedSize(9)
        configuration.client.learningRate = 0.5
        configuration.server = ServerOptimization()  // FedAvg at rate 1: no momentum moves unselected rows
        configuration.seed = 11
        configuration.partial = partial
        return configuration
    }

    static func embeddingRow(_ parameters: ParameterSet, _ id: Int) -> [Float] {
        let scalars = parameters.flat.scalars
        return Array(scalars[(id * 8)..<(id * 8 + 8)])
    }

    /// Under PEU each round changes exactly its own rows of the tied embedding, and every other tensor; the
    /// rows outside S (input and output alike) keep their values, and what clients send has m × width + the
    /// rest floats.
    @Test(arguments: EmbeddingRowSelection.Rule.allCases)
    func peuChangesOnlyTheSelectedRows(rule: EmbeddingRowSelection.Rule) throws {
        let selection = EmbeddingRowSelection(rows: 12, rule: rule, topRows: 5)
        let training = FederatedTraining(task: Self.task, configuration: Self.configuration(PartialTraining(embeddingRows: selection)),
                                         population: Self.population, pool: ThreadPool(threadCount: 2))
        let modelCount = training.parameters.layout.count
        #expect(training.updateLayout.count == modelCount - 60 * 8 + 12 * 8)
        for round in 1...2 {
            let before = training.parameters
            let rows = Set(training.embeddingRows(round: round).map(Int.init))
            #expect(rows.count == 12 && !rows.contains(0))
            let result = try training.runRound()
            #expect(result.contributed == 9)
            #expect(result.clientCosts.allSatisfy { $0.trainedParameters == training.updateLayout.count })
            let changed = Set((0..<60).filter { Self.embeddingRow(before, $0) != Self.embeddingRow(training.parameters, $0) })
            #expect(changed.isSubset(of: rows), "rows outside S moved in round \(round): \(changed.subtracting(rows))")
            #expect(changed.count >= 6, "only \(changed.count) of the 12 selected rows were trained")
            let rest = (60 * 8)..<modelCount
            #expect(Array(before.flat.scalars[rest]) != Array(training.parameters.flat.scalars[rest]))
        }
    }

    /// The rules: `top` is the m most frequent words every round; `sampled` draws m distinct words, a fresh
    /// set each round, the same for the same (seed, round), frequent words more often; `mixed` always holds
    /// the top m₁ and fills up from the rest.
    @Test func selectionRulesDoWhatTheySay() {
        let unigram = UnigramDistribution.rank(vocabularySize: 1000)
        let top = EmbeddingRowSelection(rows: 50, rule: .top)
        #expect(top.rows(round: 1, seed: 3, unigram: unigram) == (1...50).map { Int32($0) })
        #expect(top.rows(round: 2, seed: 3, unigram: unigram) == top.rows(round: 1, seed: 3, unigram: unigram))
        let sampled = EmbeddingRowSelection(rows: 50, rule: .sampled)
        let first = sampled.rows(round: 1, seed: 3, unigram: unigram)
        #expect(Set(first).count == 50 && first == first.sorted())
        #expect(first == sampled.rows(round: 1, seed: 3, unigram: unigram))
        #expect(first != sampled.rows(round: 2, seed: 3, unigram: unigram))
        var head = 0, tail = 0
        for round in 1...200 {
            let rows = sampled.rows(round: round, seed: 3, unigram: unigram)
            head += rows.filter { $0 < 104 }.count
            tail += rows.filter { $0 >= 900 }.count
        }
        #expect(head > 4 * tail, "head \(head), tail \(tail)")
        #expect(tail > 0)  // every word has a chance
        let mixed = EmbeddingRowSelection(rows: 50, rule: .mixed, topRows: 20)
        let rows = mixed.rows(round: 4, seed: 3, unigram: unigram)
        #expect(Set(rows).count == 50 && Set((1...20).map { Int32($0) }).isSubset(of: Set(rows)))
    }

    /// LoRA `keep`: the base weights never change, only adapters do, and evaluation sees base + s·B·A;
    /// `merge`: after a round the adapters restart (B = 0) and the base holds what they learned.
    @Test(arguments: PartialTraining.AdapterHandling.allCases)
    func loraTrainsOnlyAdapters(handling: PartialTraining.AdapterHandling) throws {
        let partial = PartialTraining(lora: LowRankAdaptation(rank: 2, alpha: 4), adapterHandling: handling)
        let training = FederatedTraining(task: Self.task, configuration: Self.configuration(partial), population: Self.population,
                                         pool: ThreadPool(threadCount: 2))
        let space = try #require(training.updateSpace)
        #expect(training.updateLayout.count == space.adapters.reduce(0) { $0 + $1.a.count + $1.b.count })
        let initialModel = training.modelParameters
        let before = training.parameters
        _ = try training.runRound()
        let after = training.parameters
        let modelRange = 0..<space.modelLayout.count
        let adapters = space.adapters
        switch handling {
        case .keep:
            #expect(Array(before.flat.scalars[modelRange]) == Array(after.flat.scalars[modelRange]))
            #expect(adapters.contains { Array(after.flat.scalars[$0.b.range]).contains { $0 != 0 } })
        case .merge:
            #expect(adapters.allSatisfy { Array(after.flat.scalars[$0.b.range]).allSatisfy { $0 == 0 } })
            #expect(Array(before.flat.scalars[modelRange]) != Array(after.flat.scalars[modelRange]))
        }
        // The embedding, biases and norms are frozen either way; the adapted matrices moved.
        let embedding = try #require(space.embedding).range
        #expect(Array(initialModel.flat.scalars[embedding]) == Array(training.modelParameters.flat.scalars[embedding]))
        for adapter in adapters {
            #expect(Array(initialModel.flat.scalars[adapter.base.range]) != Array(training.modelParameters.flat.scalars[adapter.base.range]))
        }
    }

    /// Secure aggregation masks the partial vector: the masked upload is smaller than the whole model's,
    /// and a PEU round under SecAgg applies the same rows as the plain round, within quantisation.
    @Test func secureAggregationSumsThePartialVector() throws {
        let selection = EmbeddingRowSelection(rows: 10, rule: .top)
        let configuration = Self.configuration(PartialTraining(embeddingRows: selection))
        let plain = FederatedTraining(task: Self.task, configuration: configuration, population: Self.population,
                                      pool: ThreadPool(threadCount: 2))
        var secureConfiguration = SecureAggregationConfiguration()
        secureConfiguration.clipBound = 100
        let secure = FederatedTraining(task: Self.task, configuration: configuration, population: Self.population,
                                       secureAggregation: secureConfiguration, pool: ThreadPool(threadCount: 2))
        let plainResult = try plain.runRound(), secureResult = try secure.runRound()
        #expect(secureResult.contributed == 9)
        let whole = SecureAggregationRound.maskedInputBytes(secureConfiguration, layout: plain.parameters.layout, privacy: nil)
        #expect(secureResult.clientCosts[0].bytesUp < whole)
        #expect(secureResult.clientCosts[0].bytesUpPlain == plainResult.clientCosts[0].bytesUpPlain)
        let difference = zip(plain.parameters.flat.scalars, secure.parameters.flat.scalars).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-3, "largest difference \(difference)")
    }

    /// A cap below a task's peak refuses it: the client is counted, downloads nothing and does not train.
    @Test func memoryCapRefusesAndCounts() throws {
        var configuration = Self.configuration(PartialTraining())
        let probe = FederatedTraining(task: Self.task, configuration: configuration, population: Self.population,
                                      pool: ThreadPool(threadCount: 1))
        let costs = try probe.runRound().clientCosts.map(\.peakMemoryBytes).sorted()
        configuration.client.memoryLimitBytes = costs[4]  // the five smallest tasks fit
        let capped = FederatedTraining(task: Self.task, configuration: configuration, population: Self.population,
                                       pool: ThreadPool(threadCount: 2))
        let result = try capped.runRound()
        let over = result.clientCosts.filter { $0.peakMemoryBytes > costs[4] }.count
        #expect(over > 0 && result.refusedForMemory == over)
        #expect(result.contributed == 9 - over && result.dropped == over)
    }
}
