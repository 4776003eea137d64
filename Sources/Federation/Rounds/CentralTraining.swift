import Kernels
import Learning

/// How a task's model is trained centrally (not federated): what `murmur train-central` runs to make
/// a seed model, and what a scenario's `central` section sets.
package struct CentralTrainingConfiguration: Sendable, Equatable, Codable {
    /// Optimizer steps.
    package var steps = 1000
    /// Users whose batches one step averages (the step's data-parallel shards, trained side by side on
    /// the pool's threads).
    package var usersPerStep = 4
    /// Examples of each user a step takes (a task that batches by seconds takes its first step's worth).
    package var batchSize = 16
    package var optimizer: OptimizerConfiguration = .adam()
    package var learningRate: Float = 1e-3
    package var schedule: LearningRateSchedule = .constant
    /// Each step's gradient is scaled to at most this L2 norm (nil: not clipped).
    package var gradientClipNorm: Double?
    package var seed: UInt64 = 0

    package init() {}
}

/// Central training of a task's model on a pool of users: each step draws `usersPerStep` users in a
/// shuffled order (every user once an epoch), takes a random batch of each one's examples, and steps
/// the optimizer on the gradient averaged over the batches' targets.
///
/// It is the seed start of the FL4ASR papers (Azam et al. 2023, §4: a model trained centrally on
/// speakers disjoint from the clients', which federated training then fine-tunes), written once for
/// every task through `FederatedTask`. Deterministic: every random choice is keyed by (seed, step,
/// shard), and shard gradients are added in shard order, so a run is bit-identical on 1 or 2 threads.
package final class CentralTraining<Task: FederatedTask> {
    package let task: Task
    package let configuration: CentralTrainingConfiguration
    package private(set) var parameters: ParameterSet
    package private(set) var completedSteps = 0
    private let population: any Population<Task.User>
    private let pool: ThreadPool
    private let replicas: [Task.Model]
    private let optimizer: any Optimizer
    private var shardGradients: [ParameterSet]

    /// - Parameter initial: weights to start from (nil: the task's model drawn from the seed).
    package init(task: Task, population: any Population<Task.User>, configuration: CentralTrainingConfiguration,
                 pool: ThreadPool, initial: [Float]? = nil) {
        precondition(configuration.usersPerStep >= 1 && configuration.batchSize >= 1, "CentralTraining: empty steps")
        self.task = task
        self.population = population
        self.configuration = configuration
        self.pool = pool
        replicas = (0..<pool.threadCount).map { _ in task.makeModel(seed: configuration.seed) }
        parameters = replicas[0].parameters
        if let initial {
            precondition(initial.count == parameters.layout.count, "CentralTraining: \(initial.count) weights for \(parameters.layout.count)")
            parameters.withUnsafeMutableBufferPointer { target in
                initial.withUnsafeBufferPointer { target.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
            }
        }
        optimizer = configuration.optimizer.makeOptimizer(layout: parameters.layout)
        let layout = parameters.layout
        shardGradients = (0..<configuration.usersPerStep).map { _ in ParameterSet(layout: layout) }
    }

    /// The users of step `step`'s shards: positions in a permutation of the population drawn afresh
    /// each epoch.
    private func users(ofStep step: Int) -> [Int] {
        let count = population.userCount, perStep = configuration.usersPerStep
        return (0..<perStep).map { shard in
            let position = step * perStep + shard, epoch = position / count
            if epochOrder?.epoch != epoch {
                var stream = RandomStream(seed: configuration.seed, keys: [0xCE7, UInt64(epoch)])
                var order = Array(0..<count)
                for i in stride(from: count - 1, to: 0, by: -1) { order.swapAt(i, stream.uniformInt(below: i + 1)) }
                epochOrder = (epoch, order)
            }
            return epochOrder!.order[position % count]
        }
    }
    private var epochOrder: (epoch: Int, order: [Int])?

    /// One optimizer step; returns the summed loss of its batches and the targets it was summed over.
    package func step() throws(DataError) -> BatchLoss {
        let step = completedSteps, users = users(ofStep: step)
        var losses = [BatchLoss](repeating: BatchLoss(sum: 0, count: 0), count: users.count)
        var failures = [DataError?](repeating: nil, count: users.count)
        for replica in replicas.prefix(min(pool.threadCount, users.count)) { replica.parameters.assign(from: parameters) }
        losses.withUnsafeMutableBufferPointer { losses in
            failures.withUnsafeMutableBufferPointer { failures in
                shardGradients.withUnsafeMutableBufferPointer { gradients in
                    pool.forEachDynamically(count: users.count) { shard, worker in
                        let replica = replicas[worker]
                        let data: Task.LocalData
                        do throws(DataError) { data = task.localData(for: try population.user(at: users[shard])) } catch {
                            failures[shard] = error
                            return
                        }
                        var stream = RandomStream(seed: configuration.seed, keys: [0xCE8, UInt64(step), UInt64(shard)])
                        var order = Array(0..<data.exampleCount)
                        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, stream.uniformInt(below: i + 1)) }
                        guard let first = task.localSteps(of: data, order: order, batchSize: configuration.batchSize).first else {
                            gradients[shard].zero()
                            return
                        }
                        replica.beginTraining(randomSeed: stream.nextUInt64())
                        let loss = replica.lossAndGradient(task.batch(data, examples: order[first]))
                        losses[shard] = loss
                        gradients[shard].assign(from: replica.gradients)
                    }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        // Each shard's gradient is of its mean loss; weighting by targets makes the sum the gradient of
        // the mean over all of the step's targets.
        let targets = losses.reduce(0) { $0 + $1.count }
        var total = BatchLoss(sum: 0, count: targets)
        guard targets > 0 else { completedSteps += 1; return total }
        var gradient = shardGradients[0]
        gradient.scale(by: Float(Double(losses[0].count) / Double(targets)))
        for shard in 1..<users.count where losses[shard].count > 0 {
            gradient.axpy(Float(Double(losses[shard].count) / Double(targets)), shardGradients[shard])
        }
        if let bound = configuration.gradientClipNorm {
            let norm = gradient.l2Norm()
            if norm > bound { gradient.scale(by: Float(bound / norm)) }
        }
        let rate = configuration.schedule.rate(at: step, base: configuration.learningRate)
        optimizer.step(parameters: &parameters, gradients: gradient, learningRate: rate)
        total.sum = losses.reduce(0) { $0 + $1.sum }
        completedSteps += 1
        return total
    }

    /// The task's metrics of the current weights on `heldOut`.
    package func evaluate(_ heldOut: HeldOutEvaluation<Task>) -> Task.Evaluation {
        heldOut.evaluate(parameters, task: task, replicas: replicas, pool: pool)
    }

    /// The weights and optimizer state after `completedSteps` steps, as a checkpoint whose weights
    /// `model.initialWeights` accepts (its rounds are the steps).
    package var checkpoint: TrainingCheckpoint {
        TrainingCheckpoint(completedRounds: completedSteps, parameters: parameters.withUnsafeBufferPointer { Array($0) },
                           serverOptimizerState: optimizer.state)
    }
}
