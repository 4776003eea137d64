import Federation
import Kernels
import Learning

/// Canaries for the language task: random sentences of words drawn uniformly from the vocabulary (ids
/// 4…V−1, no special tokens), as Carlini et al. 2019's random-word canaries ("The Secret Sharer", §5),
/// put first among a host user's sentences so the `maxSentences` cut never drops them.
extension LanguageModellingTask: CanaryAuditable {
    package func makeCanary(words: Int, using stream: inout RandomStream) -> [Int32] {
        let firstWord = Int(Vocabulary.endID) + 1
        let wordCount = configuration.model.vocabularySize - firstWord
        precondition(words >= 1 && wordCount >= 1, "LanguageModellingTask: a canary needs words and a vocabulary")
        return (0..<words).map { _ in Int32(firstWord + stream.uniformInt(below: wordCount)) }
    }

    package func inserting(_ canary: [Int32], repetitions: Int, into user: TextUser) -> TextUser {
        TextUser(name: user.name, sentences: [[Int32]](repeating: canary, count: repetitions) + user.sentences)
    }

    /// Each canary's summed next-token loss (its `<eos>` included) under the exact softmax: −log P of the
    /// sentence, Carlini et al.'s log-perplexity. One row a batch, so no canary's score depends on another's.
    package func logPerplexities(of canaries: [[Int32]], model: LanguageModelReplica) -> [Double] {
        canaries.map { canary in
            let rows = SentenceRows(sentences: [canary], steps: configuration.sequenceLength)
            var evaluation = LanguageModelEvaluation()
            model.base.evaluate(rows.batch(rows: [0]), into: &evaluation, pool: nil)
            return evaluation.negativeLogLikelihood
        }
    }
}
