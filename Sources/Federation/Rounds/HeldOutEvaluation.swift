import Kernels
import Learning

/// Evaluates a global model on held-out users: loss, perplexity, next-token top-1 / top-3 accuracy.
///
/// The users' rows are read once and cut into fixed batches; batches are spread over the threads and
/// their totals summed in batch order, so the result does not depend on the thread count.
package final class HeldOutEvaluation {
    package let batches: [TokenBatch]
    package let users: Int
    package let tokens: Int

    /// The rows of the first `users` users of `population` (at most `maxSentences` each), in batches of
    /// `batchSize` rows.
    package init(population: any Population, users: Int, steps: Int, maxSentences: Int, batchSize: Int) throws(DataError) {
        var inputs: [Int32] = [], targets: [Int32] = []
        let used = min(users, population.userCount)
        for index in 0..<used {
            let rows = SentenceRows(sentences: try population.user(at: index).sentences, steps: steps,
                                    maxSentences: maxSentences)
            inputs += rows.inputs
            targets += rows.targets
        }
        let rowCount = inputs.count / steps
        var batches: [TokenBatch] = []
        for start in stride(from: 0, to: rowCount, by: batchSize) {
            let end = min(start + batchSize, rowCount)
            batches.append(TokenBatch(inputs: Array(inputs[(start * steps)..<(end * steps)]),
                                      targets: Array(targets[(start * steps)..<(end * steps)]),
                                      batch: end - start, steps: steps))
        }
        self.batches = batches
        self.users = used
        tokens = targets.reduce(0) { $0 + ($1 == Vocabulary.paddingID ? 0 : 1) }
    }

    /// Evaluates `parameters` using `replicas` (one model per thread of `pool`).
    package func evaluate(_ parameters: ParameterSet, replicas: [any LanguageModel], pool: ThreadPool) -> LanguageModelEvaluation {
        precondition(replicas.count >= pool.threadCount, "HeldOutEvaluation: one replica per thread")
        for replica in replicas.prefix(min(pool.threadCount, batches.count)) { replica.parameters.assign(from: parameters) }
        var perBatch = [LanguageModelEvaluation](repeating: LanguageModelEvaluation(), count: batches.count)
        perBatch.withUnsafeMutableBufferPointer { results in
            pool.forEachDynamically(count: batches.count) { item, worker in
                replicas[worker].evaluate(batches[item], into: &results[item], pool: nil)
            }
        }
        var total = LanguageModelEvaluation()
        for result in perBatch { total.add(result) }
        return total
    }
}
