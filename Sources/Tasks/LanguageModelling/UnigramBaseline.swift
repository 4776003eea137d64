import Federation
import Foundation
import Learning

/// The perplexity of a unigram model on held-out targets: the bar a language model must clear.
///
/// Counts come from the targets (words and `<eos>`) of the first `users` training users, smoothed by
/// adding 0.5 to every non-padding token (as the peer's pfl_lm.py does), and are scored on the
/// evaluation batches' targets.
package enum UnigramBaseline {
    package static func perplexity(task: LanguageModellingTask, training: any Population<TextUser>, users: Int,
                                   heldOut: HeldOutEvaluation<LanguageModellingTask>) throws(DataError) -> Double {
        var counts = [Double](repeating: 0, count: task.configuration.model.vocabularySize)
        for index in 0..<min(users, training.userCount) {
            let rows = task.localData(for: try training.user(at: index))
            for target in rows.targets where target != Vocabulary.paddingID { counts[Int(target)] += 1 }
        }
        let total = counts.reduce(0, +) + 0.5 * Double(counts.count - 1)
        var negativeLogLikelihood = 0.0, tokens = 0
        for batch in heldOut.batches {
            for target in batch.targets where target != Vocabulary.paddingID {
                negativeLogLikelihood -= log((counts[Int(target)] + 0.5) / total)
                tokens += 1
            }
        }
        return tokens == 0 ? .nan : exp(negativeLogLikelihood / Double(tokens))
    }
}

extension LanguageModellingTask {
    /// The unigram perplexity of the held-out targets, from the first 2,000 training users' counts.
    package func baselines(training: any Population<TextUser>, heldOut: HeldOutEvaluation<Self>) throws(DataError)
        -> [TaskBaseline] {
        [TaskBaseline(name: "unigram", metric: "validationPerplexity",
                      value: try UnigramBaseline.perplexity(task: self, training: training, users: 2000, heldOut: heldOut))]
    }
}
