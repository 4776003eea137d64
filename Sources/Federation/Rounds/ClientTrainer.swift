import Kernels
import Learning

/// Runs local training for one client at a time on a model replica it owns (one trainer per thread).
///
/// A task starts from the global weights copied into the replica, so nothing carries over from the
/// previous client; all randomness (example shuffles, dropout) is keyed by (seed, round, user), so a
/// task's result does not depend on which thread runs it.
package final class ClientTrainer<Task: FederatedTask> {
    package let task: Task
    package let model: Task.Model

    package init(task: Task, model: Task.Model) {
        self.task = task
        self.model = model
    }

    /// Called once per task after its first optimizer step, when everything the task allocates is live:
    /// the tests' hook for measuring a client's peak allocation. Nil in runs.
    package var afterFirstStep: (() -> Void)?

    /// Trains on `data` (user `userIndex`'s) from `global` and returns the update (local − global) with
    /// its weight.
    ///
    /// - Parameters:
    ///   - partial: the round's update space and embedding rows under partial training (then `global` is
    ///     the server's state, and the update is in the space's layout); nil trains the whole model.
    ///   - measuringTensorNorms: whether the statistics carry the update's norm tensor by tensor.
    package func train(
        _ data: Task.LocalData, userIndex: Int, cohortPosition: Int, global: ParameterSet,
        configuration c: ClientTraining, round: Int, seed: UInt64, partial: PartialRound? = nil,
        measuringTensorNorms: Bool = false
    ) -> ClientUpdate {
        var taskStream = RandomStream(seed: seed, keys: [0xD40, UInt64(round), UInt64(userIndex)])
        model.beginTraining(randomSeed: taskStream.nextUInt64())
        // Under partial training the trained values are the update vector, written into the model every
        // step; otherwise the model's own parameters (not copied, so its storage stays unique).
        var trained = ParameterSet(layout: ParameterLayout()), initial = trained, partialGradient = trained
        if let partial {
            model.parameters.withUnsafeMutableBufferPointer { target in
                global.withUnsafeBufferPointer { source in target.baseAddress!.update(from: source.baseAddress!, count: target.count) }
            }
            trained = partial.space.extract(from: global, rows: partial.rows)
            initial = trained
            partial.space.write(trained, rows: partial.rows, state: global, into: &model.parameters)
            partialGradient = ParameterSet(layout: trained.layout)
        } else {
            model.parameters.assign(from: global)
        }
        let optimizer = c.optimizer.makeOptimizer(layout: partial == nil ? global.layout : trained.layout)
        var statistics = ClientStatistics()
        statistics.examples = data.exampleCount
        statistics.targets = data.targetCount
        var order = Array(0..<data.exampleCount)
        for epoch in 0..<c.localEpochs {
            if c.shuffle {
                var stream = RandomStream(seed: seed, keys: [0x5F1, UInt64(round), UInt64(userIndex), UInt64(epoch)])
                for i in stride(from: order.count - 1, to: 0, by: -1) {
                    order.swapAt(i, stream.uniformInt(below: i + 1))
                }
            }
            for steps in task.localSteps(of: data, order: order, batchSize: c.batchSize) {
                let batch = task.batch(data, examples: order[steps])
                let loss = model.lossAndGradient(batch)
                guard loss.count > 0 else { continue }
                if let partial {
                    partial.space.gradient(from: model.gradients, update: trained, rows: partial.rows, into: &partialGradient)
                    clipStep(&partialGradient, to: c.gradientClipNorm)
                    addProximalTerm(mu: c.proximalMu, to: &partialGradient, current: trained, start: initial)
                    optimizer.step(parameters: &trained, gradients: partialGradient, learningRate: c.learningRate)
                    partial.space.write(trained, rows: partial.rows, state: global, into: &model.parameters)
                } else {
                    clipStep(&model.gradients, to: c.gradientClipNorm)
                    addProximalTerm(mu: c.proximalMu, to: &model.gradients, current: model.parameters, start: global)
                    optimizer.step(parameters: &model.parameters, gradients: model.gradients, learningRate: c.learningRate)
                }
                if statistics.steps == 0 { afterFirstStep?() }
                statistics.lossSum += loss.sum
                statistics.lossTargets += loss.count
                statistics.steps += 1
            }
        }
        let weight = switch c.weighting {
        case .user: data.exampleCount > 0 ? 1.0 : 0
        case .token: Double(statistics.targets)
        }
        let delta = partial == nil ? model.parameters.difference(from: global) : trained.difference(from: initial)
        if measuringTensorNorms { statistics.recordTensorNorms(of: delta) }
        return ClientUpdate(cohortPosition: cohortPosition, userIndex: userIndex, delta: delta, weight: weight,
                            statistics: statistics)
    }

    /// Scales a local step's gradient to L2 norm ≤ `bound` (nil: no clipping): the per-step clipping
    /// that keeps a transformer's early steps from diverging (Pascanu et al. 2013; the FL4ASR companion
    /// clips every local step). It bounds the optimizer's step, not the update's sensitivity, which is DP's
    /// clipping of the whole update after training.
    private func clipStep(_ gradient: inout ParameterSet, to bound: Double?) {
        guard let bound else { return }
        let norm = gradient.l2Norm()
        if norm > bound { gradient.scale(by: Float(bound / norm)) }
    }

    /// Adds FedProx's proximal gradient μ(w − w₀), the gradient of (μ/2)‖w − w₀‖², which keeps a client
    /// near the weights it started from (Li et al. 2020, "Federated Optimization in Heterogeneous
    /// Networks", eq. 2). Nothing is added when μ is 0.
    private func addProximalTerm(mu: Float, to gradient: inout ParameterSet, current: ParameterSet, start: ParameterSet) {
        guard mu > 0 else { return }
        gradient.axpy(mu, current)
        gradient.axpy(-mu, start)
    }
}
