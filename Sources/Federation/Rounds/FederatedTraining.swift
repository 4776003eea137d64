import Foundation
import Kernels
import Learning
import Privacy
import SecureAggregation
import Synchronization

/// The server side of federated training, for any task: samples a cohort each round, has the clients
/// train in parallel, aggregates their updates in cohort order, releases the aggregate through the
/// privacy step (within the budget) and applies the central optimizer.
///
/// A round's result is a function of (seed, round, global model, server optimizer state) only: cohorts
/// and client randomness come from keyed streams, each client trains single-threaded on a replica, and
/// updates are summed strictly in cohort order. So a run is bit-identical on any number of threads, and
/// restoring the model and optimizer state at a round boundary continues it exactly.
package final class FederatedTraining<Task: FederatedTask> {
    package let task: Task
    package let configuration: FederatedTrainingConfiguration
    package let population: any Population<Task.User>
    package let pool: ThreadPool
    /// The differential-privacy step (clipping and noise, client and server halves), if the run has one.
    package let privacy: DifferentialPrivacy?
    /// Secure aggregation, if the run has it: it replaces the plain sum with the protocol.
    package let secureAggregation: SecureAggregationConfiguration?
    /// The accountant that admits each round before its release (runs with differential privacy).
    package internal(set) var privacyBudget: PrivacyBudget?
    /// The clients' devices, when rounds run in simulated time (`configuration.devices`).
    package let fleet: DeviceFleet?
    /// The simulated clock: seconds since it started, at the end of the last completed round.
    package internal(set) var simulatedSeconds = 0.0
    /// The server's state: the model's parameters, followed by the LoRA adapters when there are any.
    package internal(set) var parameters: ParameterSet
    /// What clients train and send under partial training (nil: the whole model).
    package let updateSpace: UpdateSpace?
    /// Rounds completed so far.
    package internal(set) var completedRounds = 0
    /// Each user's participations (runs with differential privacy); under a cap, cohort sampling leaves
    /// out the users it does not allow.
    package internal(set) var participation: ParticipationLedger?
    let serverOptimizer: any Optimizer
    let trainers: [ClientTrainer<Task>]

    /// - Parameters:
    ///   - privacy: differential privacy to apply; its noise and clipping are laid out on the update
    ///     (which this initialiser builds), and its budget admits every round.
    ///   - secureAggregation: the protocol that replaces the plain sum.
    package init(task: Task, configuration: FederatedTrainingConfiguration, population: any Population<Task.User>,
                 privacy: PrivacyConfiguration? = nil, secureAggregation: SecureAggregationConfiguration? = nil,
                 fleet: DeviceFleet? = nil, pool: ThreadPool) {
        precondition((fleet == nil) == (configuration.devices == nil), "FederatedTraining: a fleet goes with configuration.devices")
        precondition(configuration.partial.embeddingRows == nil || task.rowFrequencies != nil,
                     "FederatedTraining: PEU needs the task's row frequencies")
        self.task = task
        self.configuration = configuration
        self.population = population
        self.fleet = fleet
        self.pool = pool
        self.secureAggregation = secureAggregation
        let global = task.makeModel(seed: configuration.seed)
        precondition(global.parameters.layout == task.modelShape.layout, "FederatedTraining: the model's layout is its shape's")
        let space = configuration.partial.isPartial ? UpdateSpace(shape: task.modelShape, partial: configuration.partial) : nil
        updateSpace = space
        self.privacy = privacy.map { DifferentialPrivacy(configuration: $0, layout: space?.updateLayout ?? global.parameters.layout) }
        privacyBudget = privacy.map { PrivacyBudget(configuration: $0, relation: $0.relation(sampling: configuration.sampling)) }
        participation = privacy.map { ParticipationLedger(schema: $0.participation) }
        parameters = space?.initialState(model: global.parameters, seed: configuration.seed, keys: [0]) ?? global.parameters
        serverOptimizer = configuration.server.optimizer.makeOptimizer(layout: parameters.layout)
        trainers = (0..<pool.threadCount).map { worker in
            ClientTrainer(task: task, model: worker == 0 ? global : task.makeModel(seed: configuration.seed))
        }
    }

    /// One model per thread, for evaluation between rounds.
    package var replicas: [Task.Model] { trainers.map(\.model) }

    /// The global model's weights, with any adapters folded in: what evaluation scores.
    package var modelParameters: ParameterSet { updateSpace?.modelParameters(from: parameters) ?? parameters }

    /// The layout of what clients send (the model's, unless training is partial).
    package var updateLayout: ParameterLayout { updateSpace?.updateLayout ?? parameters.layout }

    /// The global model's metrics on held-out users.
    package func evaluate(_ heldOut: HeldOutEvaluation<Task>) -> Task.Evaluation {
        heldOut.evaluate(modelParameters, task: task, replicas: replicas, pool: pool)
    }

    /// The embedding rows round `round` trains under PEU (empty without it); public: a function of the seed.
    package func embeddingRows(round: Int) -> [Int32] {
        guard let selection = configuration.partial.embeddingRows, let frequencies = task.rowFrequencies else { return [] }
        return selection.rows(round: round, seed: configuration.seed, unigram: frequencies)
    }

    /// Runs the next round and returns what it did: plan it, train the cohort, release the aggregate
    /// through the privacy step, apply the server update.
    ///
    /// With differential privacy the budget admits the round's event before anything is released; if it
    /// would be passed, the round is discarded — the model, optimizer, clip bound, ledger and round count
    /// stay as they were — and `PrivacyBudgetExhausted` is thrown.
    package func runRound() throws -> RoundResult {
        let round = completedRounds + 1
        let c = configuration
        let layout = updateLayout
        let partial = updateSpace.map { PartialRound(space: $0, rows: embeddingRows(round: round)) }
        // The cohort, each client's data and task cost, and who will report: decided before training.
        let plan = try planRound(round)
        let context = RoundContext(round: round, seed: c.seed, cohortSize: plan.cohort.count, populationSize: plan.populationSize,
                                   expectedCohortSize: c.sampling.expectedSize(population: population.userCount))
        // Secure aggregation's key steps run now, before training, as on devices.
        var aggregator: any UpdateAggregator = try secureAggregation.map {
            try SecureAggregationRound(configuration: $0, context: context, layout: layout, privacy: privacy,
                                       forcedDropouts: plan.fates.map(\.secureAggregationDropout), pool: pool)
        } ?? WeightedSumAggregator(layout: layout)
        // Clients train in parallel; their processed updates reach the aggregator in cohort order.
        // Under `--backend mpi` the cohort is spread over the ranks, with the same sum (Distributed/).
        let statistics: ClientStatistics
        if let group = DistributedRun.group {
            let distributed = DistributedAggregator(wrapping: aggregator, group: group)
            aggregator = distributed
            statistics = try trainCohortDistributed(plan, partial: partial, context: context, aggregator: distributed, group: group)
        } else {
            statistics = trainCohort(plan, partial: partial, context: context, aggregator: aggregator)
        }
        // The server: the aggregate (none if secure aggregation failed), central noise, the update.
        let learningRate = c.server.learningRate(round: round)
        var release: Release?
        if var aggregate = aggregator.finish() {
            release = try self.release(&aggregate, plan: plan, context: context)
            if aggregate.normaliser > 0 {
                release?.updateNorm = try applyServerUpdate(aggregate, partial: partial, learningRate: learningRate, round: round)
            }
        }
        if release?.event != nil { privacyBudget?.commit() }
        participation?.record(plan.cohort, round: round)
        completedRounds = round
        if let schedule = plan.schedule { simulatedSeconds = schedule.endSeconds }
        return RoundResult(
            round: round, sampled: plan.cohort.count, contributed: release?.contributors ?? 0, statistics: statistics,
            learningRate: learningRate, updateNorm: release?.updateNorm ?? 0,
            bytesDownPerClient: parameters.layout.count * MemoryLayout<Float>.size,
            bytesUpPerClient: layout.count * MemoryLayout<Float>.size, clientCosts: plan.costs, fates: plan.fates,
            updateNormBeforeNoise: release?.updateNormBeforeNoise,
            clientUpdateNorms: c.recordsTensorNorms ? TensorNormSummary.summaries(statistics, layout: layout) : nil,
            signalToNoise: release?.signalToNoise, privacyEvent: release?.event, privacyEventAsRun: release?.asRun,
            epsilon: privacyBudget?.epsilon, epsilonAsRun: privacyBudget?.epsilonAsRunIfDifferent,
            budgetExhausted: try release?.event.map { try privacyBudget?.nextRoundWouldExceed(like: $0, round: round + 1) ?? false } ?? false,
            clipBound: privacy?.clipBound, secureAggregation: aggregator.secureAggregationReport, schedule: plan.schedule)
    }

    /// What the server half of a round released.
    private struct Release {
        var contributors: Int
        var signalToNoise: Double?
        var event: DPEvent?
        var asRun: DPEvent?
        var updateNorm = 0.0
        /// The average update's norm before central noise (runs with central noise).
        var updateNormBeforeNoise: Double?
    }

    /// Trains every client of `plan` that takes part, on the pool's threads, and hands each processed
    /// update to `aggregator`; returns the cohort's statistics, summed in cohort order.
    private func trainCohort(_ plan: RoundPlan<Task.LocalData>, partial: PartialRound?, context: RoundContext,
                             aggregator: any UpdateAggregator) -> ClientStatistics {
        let c = configuration
        let merge = Mutex(OrderedMerge())
        let global = parameters
        pool.forEachDynamically(count: plan.cohort.count) { position, worker in
            let outcome: ClientUpdate?
            // A client that dropped before training, refused its task or will not report in time is not
            // trained: its update would be discarded.
            if !aggregator.isTraining(position) || plan.fates[position] != .reported {
                outcome = nil
            } else {
                var update = trainers[worker].train(
                    plan.data[position], userIndex: plan.cohort[position], cohortPosition: position, global: global,
                    configuration: c.client, round: context.round, seed: c.seed, partial: partial,
                    measuringTensorNorms: c.recordsTensorNorms)
                privacy?.processClient(&update, context: context)
                aggregator.submit(update)
                outcome = update
            }
            merge.withLock { $0.deliver(outcome, position: position, to: aggregator) }
        }
        return merge.withLock { $0.statistics }
    }

    /// The server half of the privacy step on the aggregate: the budget admits the round's event (or
    /// throws), then central noise and normalisation.
    private func release(_ aggregate: inout Aggregate, plan: RoundPlan<Task.LocalData>, context: RoundContext) throws -> Release {
        var release = Release(contributors: aggregate.contributors)
        guard let privacy else { return release }
        var sumNormBeforeNoise: Double?
        if let noise = privacy.centralNoiseStandardDeviation(context: context), noise > 0 {
            let norm = aggregate.sum.l2Norm()
            release.signalToNoise = norm / (noise * Double(aggregate.sum.layout.count).squareRoot())
            sumNormBeforeNoise = norm
        }
        let spent = try privacy.processServer(&aggregate, context: context, sampling: plan.sampling) { event, asRun in
            try privacyBudget?.admit(round: context.round, event: event, asRunEvent: asRun)
        }
        (release.event, release.asRun) = (spent.event, spent.asRun)
        if let sumNormBeforeNoise, aggregate.normaliser > 0 { release.updateNormBeforeNoise = sumNormBeforeNoise / aggregate.normaliser }
        return release
    }

    /// Steps the server optimizer with minus the average update (placed in the state under partial
    /// training) and merges LoRA adapters if asked; returns the average update's norm.
    private func applyServerUpdate(_ aggregate: Aggregate, partial: PartialRound?, learningRate: Float, round: Int) throws -> Double {
        var pseudoGradient = aggregate.sum
        pseudoGradient.scale(by: Float(-1 / aggregate.normaliser))
        let norm = pseudoGradient.l2Norm()
        if let partial { pseudoGradient = partial.space.scatter(pseudoGradient, rows: partial.rows) }
        serverOptimizer.step(parameters: &parameters, gradients: pseudoGradient, learningRate: learningRate)
        if let space = updateSpace, configuration.partial.adapterHandling == .merge, !space.adapters.isEmpty {
            space.mergeAdapters(into: &parameters, seed: configuration.seed, round: round)
            try restartAdapterMoments(from: space.modelLayout.count)
        }
        return norm
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
}

/// Hands client updates to the aggregator in cohort order, whatever order they finish in, and sums
/// their statistics in that order too. Updates that finish early wait (bounded by the threads' lead).
private struct OrderedMerge: ~Copyable {
    var nextPosition = 0
    var waiting: [Int: ClientUpdate] = [:]
    var skipped = Set<Int>()
    var statistics = ClientStatistics()

    /// Takes client `position`'s update (nil: a client that did not train) and adds every update now
    /// next in cohort order to `aggregator`.
    mutating func deliver(_ update: ClientUpdate?, position: Int, to aggregator: any UpdateAggregator) {
        if let update { waiting[position] = update } else { skipped.insert(position) }
        while true {
            if skipped.remove(nextPosition) != nil {
                nextPosition += 1
                continue
            }
            guard let update = waiting.removeValue(forKey: nextPosition) else { break }
            statistics.add(update.statistics)
            aggregator.add(update)
            nextPosition += 1
        }
    }
}
