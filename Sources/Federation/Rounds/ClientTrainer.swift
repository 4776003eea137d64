import Kernels
import Learning

/// Runs local training for one client at a time on a model replica it owns (one trainer per thread).
///
/// A task starts from the global weights copied into the replica, so nothing carries over from the
/// previous client; all randomness (row shuffles, dropout) is keyed by (seed, round, user), so a task's
/// result does not depend on which thread runs it.
package final class ClientTrainer {
    package let model: any LanguageModel

    package init(model: any LanguageModel) {
        self.model = model
    }

    /// Trains on `user`'s data from `global` and returns the update (local − global) with its weight.
    package func train(
        user: FederatedUser, userIndex: Int, cohortPosition: Int, global: ParameterSet,
        configuration c: ClientTraining, round: Int, seed: UInt64
    ) -> ClientUpdate {
        model.parameters.assign(from: global)
        var taskStream = RandomStream(seed: seed, keys: [0xD40, UInt64(round), UInt64(userIndex)])
        model.beginTraining(randomSeed: taskStream.nextUInt64())
        let optimizer = c.optimizer.makeOptimizer(layout: global.layout)
        let rows = SentenceRows(sentences: user.sentences, steps: c.sequenceLength, maxSentences: c.maxSentences)
        var statistics = ClientStatistics()
        statistics.sentences = rows.count
        statistics.tokens = rows.tokenCount
        var order = Array(0..<rows.count)
        for epoch in 0..<c.localEpochs {
            if c.shuffle {
                var stream = RandomStream(seed: seed, keys: [0x5F1, UInt64(round), UInt64(userIndex), UInt64(epoch)])
                for i in stride(from: order.count - 1, to: 0, by: -1) {
                    order.swapAt(i, stream.uniformInt(below: i + 1))
                }
            }
            for start in stride(from: 0, to: order.count, by: c.batchSize) {
                let batch = rows.batch(rows: order[start..<min(start + c.batchSize, order.count)])
                let result = model.lossAndGradient(batch, pool: nil)
                guard result.count > 0 else { continue }
                if c.proximalMu > 0 {  // ∇(μ/2)‖w − w_global‖² = μ(w − w_global)
                    model.gradients.axpy(c.proximalMu, model.parameters)
                    model.gradients.axpy(-c.proximalMu, global)
                }
                optimizer.step(parameters: &model.parameters, gradients: model.gradients, learningRate: c.learningRate)
                statistics.lossSum += result.negativeLogLikelihood
                statistics.lossTokens += result.count
                statistics.steps += 1
            }
        }
        let weight = switch c.weighting {
        case .user: rows.count > 0 ? 1.0 : 0
        case .token: Double(statistics.tokens)
        }
        return ClientUpdate(cohortPosition: cohortPosition, userIndex: userIndex,
                            delta: model.parameters.difference(from: global), weight: weight, statistics: statistics)
    }
}
