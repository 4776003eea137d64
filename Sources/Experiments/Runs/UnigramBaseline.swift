import Federation
import Foundation
import Learning

/// The perplexity of a unigram model on held-out targets: the bar a language model must clear.
///
/// Counts come from the targets (words and `<eos>`) of the first `users` training users, smoothed by
/// adding 0.5 to every non-padding token (as the peer's pfl_lm.py does), and are scored on the
/// evaluation batches' targets.
package enum UnigramBaseline {
    package static func perplexity(training: any Population, users: Int, steps: Int, maxSentences: Int,
                                   heldOut: HeldOutEvaluation) throws(DataError) -> Double {
        var counts = [Double](repeating: 0, count: training.vocabularySize)
        for index in 0..<min(users, training.userCount) {
            let rows = SentenceRows(sentences: try training.user(at: index).sentences, steps: steps,
                                    maxSentences: maxSentences)
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
