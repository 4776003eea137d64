import Foundation
import Kernels
import Learning
import Privacy
import SecureAggregation
import Synchronization

/// Everything that fixes a federated training run, apart from where its data comes from.
package struct FederatedTrainingConfiguration: Sendable, Equatable, Codable {
    package var model: LanguageModelConfiguration
    package var client = ClientTraining()
    package var sampling = CohortSampling.fixedSize(50)
    package var server = ServerOptimization()
    package var seed: UInt64 = 0
    /// Rounds in simulated time on a device fleet (nil: no devices, no clock).
    package var devices: DeviceSimulation?
    /// Partial training (PEU rows, LoRA adapters); by default clients train and send the whole model.
    package var partial = PartialTraining()
    /// Where the public word frequencies come from, when PEU or a sampled loss needs them.
    package var unigramSource = UnigramDistribution.Source.rank

    /// The length of the vector a client sends: the model's parameter count, or the partial update's.
    package func updateDimension() -> Int {
        let built = model.makeModel(seed: 0)
        return partial.isPartial ? UpdateSpace(model: built, partial: partial).trainedCount : built.parameters.layout.count
    }

    /// Whether PEU or a sampled loss needs the public word frequencies.
    package var needsUnigram: Bool { partial.embeddingRows != nil || client.loss != .softmax }

    package init(model: LanguageModelConfiguration) {
        self.model = model
    }
}

/// What one round did, for the metrics line.
package struct RoundResult: Sendable, Equatable {
    package var round: Int
    package var sampled: Int
    /// Clients whose update entered the aggregate (sampled minus those with no data or dropped).
    package var contributed: Int
    package var statistics: ClientStatistics
    package var learningRate: Float
    /// L2 norm of the average update the server applied.
    package var updateNorm: Double
    /// Bytes one client downloads (the model) and uploads (its update), as 32-bit floats.
    package var bytesDownPerClient: Int
    package var bytesUpPerClient: Int
    /// Each costed client's task cost (every selected client whose data was loaded), in cohort order.
    package var clientCosts: [ClientTaskCost] = []
    /// Selected clients that refused their task because it would not fit `client.memoryLimitBytes`
    /// (without devices; with devices the schedule's fates count them).
    package var refusedForMemory = 0
    /// ‖Σ clipped updates‖ over the expected norm of the central noise added to that sum, σ·C·√d: the
    /// aggregated update's signal-to-noise ratio (runs with central Gaussian noise).
    package var signalToNoise: Double? = nil
    /// What the round spent, for the accountant (nil without DP); and the event of the run as performed
    /// when it differs (a noise cohort accounts for a simulated cohort).
    package var privacyEvent: DPEvent? = nil
    package var privacyEventAsRun: DPEvent? = nil
    /// The clip bound for the next round (it moves under adaptive clipping).
    package var clipBound: Double? = nil
    /// What secure aggregation cost and who made it through (nil without it). When it failed, the
    /// round changed nothing: no update, no privacy spent.
    package var secureAggregation: SecureAggregationReport? = nil
    /// The round in simulated time: who was available and selected, and each one's fate (runs with devices).
    package var schedule: RoundSchedule? = nil

    /// Sampled clients whose update did not reach the aggregate because they dropped out (or, with
    /// devices, were refused, too slow, offline or late).
    package var dropped: Int {
        if let report = secureAggregation { return report.clients - report.survivors[SecureAggregationStep.maskedInput.rawValue] }
        return schedule.map { $0.fates.count - $0.reportingPositions.count } ?? refusedForMemory
    }

    /// Sampled clients that dropped before they could train (at advertiseKeys or shareKeys).
    package var droppedBeforeTraining: Int {
        guard let report = secureAggregation else { return 0 }
        return report.clients - report.survivors[SecureAggregationStep.shareKeys.rawValue]
    }
}

/// The server side of federated training: samples a cohort each round, has the clients train in
/// parallel, aggregates their updates in cohort order through the update pipeline and applies the
/// central optimizer.
///
/// A round's result is a function of (seed, round, global model, server optimizer state) only: cohorts
/// and client randomness come from keyed streams, each client trains single-threaded on a replica, and
/// updates are summed strictly in cohort order. So a run is bit-identical on any number of threads, and
/// restoring the model and optimizer state at a round boundary continues it exactly.
package final class FederatedTraining {
    package let configuration: FederatedTrainingConfiguration
    package let population: any Population
    package let pipeline: UpdatePipeline
    package let pool: ThreadPool
    /// The clients' devices, when rounds run in simulated time (`configuration.devices`).
    package let fleet: DeviceFleet?
    /// The simulated clock: seconds since it started, at the end of the last completed round.
    package private(set) var simulatedSeconds = 0.0
    /// The server's state: the model's parameters, followed by the LoRA adapters when there are any.
    package private(set) var parameters: ParameterSet
    /// What clients train and send under partial training (nil: the whole model).
    package let updateSpace: UpdateSpace?
    /// The public unigram estimate PEU ranks rows by and the sampled losses draw noise from.
    package let unigram: UnigramDistribution?
    /// Rounds completed so far.
    package private(set) var completedRounds = 0
    private let serverOptimizer: any Optimizer
    private let trainers: [ClientTrainer]

    /// - Parameters:
    ///   - privacy: differential privacy to apply, as the pipeline's privacy step (it needs the layout of
    ///     the update, which this initialiser builds).
    ///   - unigram: the public word frequencies; needed by PEU and by the sampled losses.
    package init(configuration: FederatedTrainingConfiguration, population: any Population,
                 pipeline: UpdatePipeline = UpdatePipeline(), privacy: PrivacyConfiguration? = nil,
                 fleet: DeviceFleet? = nil, unigram: UnigramDistribution? = nil, pool: ThreadPool) {
        precondition((fleet == nil) == (configuration.devices == nil), "FederatedTraining: a fleet goes with configuration.devices")
        precondition(unigram != nil || !configuration.needsUnigram,
                     "FederatedTraining: PEU and sampled losses need a unigram distribution")
        self.configuration = configuration
        self.population = population
        self.fleet = fleet
        self.pool = pool
        self.unigram = unigram
        let global = configuration.model.makeModel(seed: configuration.seed)
        let space = configuration.partial.isPartial ? UpdateSpace(model: global, partial: configuration.partial) : nil
        updateSpace = space
        var pipeline = pipeline
        if let privacy {
            pipeline.privacy = DifferentialPrivacy(configuration: privacy, layout: space?.updateLayout ?? global.parameters.layout)
        }
        self.pipeline = pipeline
        parameters = space?.initialState(model: global.parameters, seed: configuration.seed, keys: [0]) ?? global.parameters
        serverOptimizer = configuration.server.optimizer.makeOptimizer(layout: parameters.layout)
        trainers = (0..<pool.threadCount).map { worker in
            let model = worker == 0 ? global : configuration.model.makeModel(seed: configuration.seed)
            model.useTrainingLoss(configuration.client.loss, noise: unigram)
            return ClientTrainer(model: model)
        }
    }

    /// One model per thread, for evaluation between rounds.
    package var replicas: [any LanguageModel] { trainers.map(\.model) }

    /// The global model's weights, with any adapters folded in: what evaluation scores.
    package var modelParameters: ParameterSet { updateSpace?.modelParameters(from: parameters) ?? parameters }

    /// The layout of what clients send (the model's, unless training is partial).
    package var updateLayout: ParameterLayout { updateSpace?.updateLayout ?? parameters.layout }

    /// The embedding rows round `round` trains under PEU (empty without it); public: a function of the seed.
    package func embeddingRows(round: Int) -> [Int32] {
        guard let selection = configuration.partial.embeddingRows, let unigram else { return [] }
        return selection.rows(round: round, seed: configuration.seed, unigram: unigram)
    }

    /// Runs the next round and returns what it did.
    ///
    /// With differential privacy, `admitPrivacyEvent` sees what the round would spend before its update
    /// is released; if it throws (a budget would be exceeded), the round is discarded — the model,
    /// optimizer, clip bound and round count stay as they were — and the error propagates.
    package func runRound(admitPrivacyEvent: (DPEvent, DPEvent?) throws -> Void = { _, _ in }) throws -> RoundResult {
        let round = completedRounds + 1
        let c = configuration
        let layout = updateLayout
        let partial = updateSpace.map { PartialRound(space: $0, rows: embeddingRows(round: round)) }
        // Planning loads each selected user's data to cost its task; training reuses what it loaded.
        var plannedUsers: [Int: FederatedUser] = [:]
        let schedule = try fleet.map { try plan(round: round, fleet: $0, users: &plannedUsers) }
        // With devices the cohort is drawn from the clients available then, and that is the sampling
        // the accountant sees: `schedule.selected.count` of `schedule.availableCount`.
        let cohort = schedule?.selected ?? c.sampling.cohort(round: round, population: population.userCount, seed: c.seed)
        // Without devices every task is costed here too, and one over the memory cap is refused.
        let costs = try schedule?.costs ?? cohort.map { client in
            let user = try population.user(at: client)
            plannedUsers[client] = user
            return taskCost(sentences: user.sentences.count)
        }
        let refused = schedule == nil ? costs.map(\.exceedsMemoryCap) : Array(repeating: false, count: cohort.count)
        let sampling = schedule.map { CohortSampling.fixedSize($0.selected.count) } ?? c.sampling
        let context = RoundContext(round: round, seed: c.seed, cohortSize: cohort.count,
                                   populationSize: schedule?.availableCount ?? population.userCount,
                                   expectedCohortSize: c.sampling.expectedSize(population: population.userCount))
        // Secure aggregation's first two steps (keys, shares) run before training, as on devices; a device
        // that refused its task never joins, one that does not report drops before its masked input.
        let forcedDropouts: [SecureAggregationStep?]? = schedule?.fates.map { fate -> SecureAggregationStep? in
            switch fate {
            case .reported: nil
            case .droppedForMemory: .advertiseKeys
            case .late, .droppedForTime, .droppedForAvailability: .maskedInput
            }
        } ?? (refused.contains(true) ? refused.map { $0 ? .advertiseKeys : nil } : nil)
        let secure = try pipeline.secureAggregation.map {
            try SecureAggregationRound(configuration: $0, context: context, layout: layout,
                                       privacy: pipeline.privacy, forcedDropouts: forcedDropouts, pool: pool)
        }
        let aggregator = secure == nil ? pipeline.makeAggregator(layout, context) : nil
        let merge = Mutex(OrderedMerge(aggregator: aggregator))
        let global = parameters
        pool.forEachDynamically(count: cohort.count) { position, worker in
            let outcome = Result<ClientUpdate?, any Error> {
                if let secure, !secure.isTraining(position) { return nil }  // dropped before training
                // A device that will not report in time is not trained: its update would be discarded.
                if let schedule, schedule.fates[position] != .reported { return nil }
                if refused[position] { return nil }
                let user = try plannedUsers[cohort[position]] ?? population.user(at: cohort[position])
                var update = trainers[worker].train(
                    user: user, userIndex: cohort[position], cohortPosition: position, global: global,
                    configuration: c.client, round: round, seed: c.seed, partial: partial)
                pipeline.privacy?.processClient(&update, context: context)
                for stage in pipeline.clientStages { try stage.process(&update, context: context) }
                secure?.submit(update)
                return update
            }
            merge.withLock { $0.deliver(outcome, position: position) }
        }
        let (plainAggregate, statistics) = try merge.withLock { state in
            if let error = state.firstError { throw error }
            return (try state.aggregator?.finish(), state.statistics)
        }
        // Without secure aggregation there is always an aggregate; with it, none if the protocol failed.
        var privacy: (event: DPEvent, asRun: DPEvent?)?
        var contributed = 0
        let learningRate = c.server.learningRate(round: round)
        var updateNorm = 0.0
        var signalToNoise: Double?
        let finished: Aggregate? = if let secure { secure.finish() } else { plainAggregate }
        if var aggregate = finished {
            for stage in pipeline.aggregateStages { try stage.process(&aggregate, context: context) }
            if let noise = pipeline.privacy?.centralNoiseStandardDeviation(context: context), noise > 0 {
                signalToNoise = aggregate.sum.l2Norm() / (noise * Double(layout.count).squareRoot())
            }
            privacy = try pipeline.privacy.map {
                try $0.processServer(&aggregate, context: context, sampling: sampling, admit: admitPrivacyEvent)
            }
            if aggregate.normaliser > 0 {
                // The server's "gradient" is minus the average update, placed in the state under partial training.
                var pseudoGradient = aggregate.sum
                pseudoGradient.scale(by: Float(-1 / aggregate.normaliser))
                updateNorm = pseudoGradient.l2Norm()
                if let partial { pseudoGradient = partial.space.scatter(pseudoGradient, rows: partial.rows) }
                serverOptimizer.step(parameters: &parameters, gradients: pseudoGradient, learningRate: learningRate)
                if let space = updateSpace, c.partial.adapterHandling == .merge, !space.adapters.isEmpty {
                    space.mergeAdapters(into: &parameters, seed: c.seed, round: round)
                    try restartAdapterMoments(from: space.modelLayout.count)
                }
            }
            contributed = aggregate.contributors
        }
        completedRounds = round
        if let schedule { simulatedSeconds = schedule.endSeconds }
        var result = RoundResult(round: round, sampled: cohort.count, contributed: contributed,
                                 statistics: statistics, learningRate: learningRate, updateNorm: updateNorm,
                                 bytesDownPerClient: parameters.layout.count * MemoryLayout<Float>.size,
                                 bytesUpPerClient: layout.count * MemoryLayout<Float>.size,
                                 privacyEvent: privacy?.event, privacyEventAsRun: privacy?.asRun,
                                 clipBound: pipeline.privacy?.clipBound, secureAggregation: secure?.report, schedule: schedule)
        result.clientCosts = costs
        result.refusedForMemory = refused.filter { $0 }.count
        result.signalToNoise = signalToNoise
        return result
    }

    /// Zeroes the server optimizer's per-parameter state from `start` on (the adapters), so restarted
    /// adapters do not inherit moments that belonged to the ones just merged.
    private func restartAdapterMoments(from start: Int) throws {
        var state = serverOptimizer.state
        for (name, values) in state where values.count == parameters.layout.count {
            state[name]!.replaceSubrange(start..<values.count, with: repeatElement(0, count: values.count - start))
        }
        try serverOptimizer.restore(state: state)
    }

    /// The cost of one client's task with `sentences` sentences, as this run trains and sends it.
    package func taskCost(sentences: Int) -> ClientTaskCost {
        let bytesUp = pipeline.secureAggregation.map {
            SecureAggregationRound.maskedInputBytes($0, layout: updateLayout, privacy: pipeline.privacy?.configuration)
        } ?? updateLayout.count * MemoryLayout<Float>.size
        var cost = ClientTaskCost(model: trainers[0].model, parameterCount: trainers[0].model.parameters.layout.count,
                                  space: updateSpace, training: configuration.client, sentences: sentences, bytesUp: bytesUp)
        cost.memoryCapBytes = configuration.client.memoryLimitBytes
        return cost
    }

    /// The round's plan in simulated time, opening when the last round closed.
    ///
    /// - Parameter users: receives the users loaded for costing, by user index.
    private func plan(round: Int, fleet: DeviceFleet, users: inout [Int: FederatedUser]) throws -> RoundSchedule {
        let c = configuration
        guard case let .fixedSize(target) = c.sampling, let simulation = c.devices else {
            preconditionFailure("FederatedTraining: devices need a fixed cohort size (the scenario checks)")
        }
        return try RoundSchedule.plan(round: round, openSeconds: simulatedSeconds, target: target, simulation: simulation,
                                      fleet: fleet, seed: c.seed) { client in
            let user = try population.user(at: client)
            users[client] = user
            let rows = SentenceRows(sentences: user.sentences, steps: c.client.sequenceLength, maxSentences: c.client.maxSentences)
            return (taskCost(sentences: user.sentences.count), rows.tokenCount)
        }
    }

    /// The state to save at a round boundary.
    package var checkpointState: TrainingCheckpoint {
        var checkpoint = TrainingCheckpoint(completedRounds: completedRounds, parameters: parameters.flat.scalars,
                                            serverOptimizerState: serverOptimizer.state)
        // Swift prints a Double so that it reads back exactly.
        if let privacy = pipeline.privacy { checkpoint.metadata["clipBound"] = "\(privacy.clipBound)" }
        if fleet != nil { checkpoint.metadata["simulatedSeconds"] = "\(simulatedSeconds)" }
        return checkpoint
    }

    /// Starts from trained weights instead of the seed's random initialisation: a warm start, LoRA's
    /// setting (Hu et al. 2021 adapt a pretrained model; Xu et al. 2022 fine-tune a task-specific one).
    ///
    /// `modelWeights` are a model's tensors in this model's layout (a checkpoint of a run without LoRA);
    /// any adapters start as on a cold start (A drawn from the seed, B = 0), and the server optimizer
    /// starts afresh. Only before the first round.
    package func start(fromModelWeights modelWeights: [Float]) throws(CheckpointError) {
        precondition(completedRounds == 0, "FederatedTraining: a warm start comes before the first round")
        let modelLayout = updateSpace?.modelLayout ?? parameters.layout
        guard modelWeights.count == modelLayout.count else {
            throw .mismatch("it holds \(modelWeights.count) parameters, the model has \(modelLayout.count) (a checkpoint "
                + "of a run of the same model, without LoRA adapters, fits)")
        }
        let model = ParameterSet(layout: modelLayout, flat: Tensor(shape: [modelWeights.count], values: modelWeights))
        parameters = updateSpace?.initialState(model: model, seed: configuration.seed, keys: [0]) ?? model
    }

    /// Continues from a saved state of a run with the same configuration.
    package func restore(_ checkpoint: TrainingCheckpoint) throws {
        guard checkpoint.parameters.count == parameters.layout.count else {
            throw CheckpointError.mismatch("it holds \(checkpoint.parameters.count) parameters, the model has "
                + "\(parameters.layout.count)")
        }
        try serverOptimizer.restore(state: checkpoint.serverOptimizerState)
        parameters = ParameterSet(layout: parameters.layout,
                                  flat: Tensor(shape: [checkpoint.parameters.count], values: checkpoint.parameters))
        if let privacy = pipeline.privacy {
            guard let text = checkpoint.metadata["clipBound"], let bound = Double(text) else {
                throw CheckpointError.mismatch("it has no clip bound, but this run uses differential privacy")
            }
            privacy.clipBound = bound
        }
        if fleet != nil {
            guard let text = checkpoint.metadata["simulatedSeconds"], let seconds = Double(text) else {
                throw CheckpointError.mismatch("it has no simulated clock, but this run simulates devices")
            }
            simulatedSeconds = seconds
        }
        completedRounds = checkpoint.completedRounds
    }
}

/// Hands client updates to the aggregator in cohort order, whatever order they finish in, and sums
/// their statistics in that order too. Updates that finish early wait (bounded by the threads' lead).
private struct OrderedMerge: ~Copyable {
    /// Nil with secure aggregation, whose protocol sums the updates; the merge then only counts.
    let aggregator: (any UpdateAggregator)?
    var nextPosition = 0
    var waiting: [Int: ClientUpdate] = [:]
    var skipped = Set<Int>()
    var statistics = ClientStatistics()
    var firstError: (any Error)?

    init(aggregator: (any UpdateAggregator)?) {
        self.aggregator = aggregator
    }

    /// Takes client `position`'s outcome; a nil update is a client that dropped before training.
    mutating func deliver(_ outcome: Result<ClientUpdate?, any Error>, position: Int) {
        switch outcome {
        case let .success(update?): waiting[position] = update
        case .success(nil): skipped.insert(position)
        case let .failure(error):
            if firstError == nil { firstError = error }
            return
        }
        while firstError == nil {
            if skipped.remove(nextPosition) != nil {
                nextPosition += 1
                continue
            }
            guard let update = waiting.removeValue(forKey: nextPosition) else { break }
            statistics.add(update.statistics)
            do { try aggregator?.add(update) } catch { firstError = error }
            nextPosition += 1
        }
    }
}
