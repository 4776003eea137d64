import Learning

/// A user's sentences as next-token rows of fixed length: input `<bos>` + sentence, target sentence +
/// `<eos>`, both cut to `steps` and padded with `<pad>` (the peer's and pfl-research's LM convention).
package struct SentenceRows: Sendable, Equatable {
    package let steps: Int
    package private(set) var inputs: [Int32] = []
    package private(set) var targets: [Int32] = []

    /// The rows of the first `maxSentences` of `sentences` (empty sentences make a row of `<eos>` only).
    package init(sentences: [[Int32]], steps: Int, maxSentences: Int = .max) {
        precondition(steps >= 2, "SentenceRows: at least two steps")
        self.steps = steps
        let used = sentences.prefix(maxSentences)
        inputs.reserveCapacity(used.count * steps)
        targets.reserveCapacity(used.count * steps)
        for sentence in used {
            let words = sentence.prefix(steps)
            let input = [Vocabulary.beginID] + words.prefix(steps - 1)
            let target = Array(words) + (words.count < steps ? [Vocabulary.endID] : [])
            inputs += input + [Int32](repeating: Vocabulary.paddingID, count: steps - input.count)
            targets += target + [Int32](repeating: Vocabulary.paddingID, count: steps - target.count)
        }
    }

    /// How many rows.
    package var count: Int { inputs.count / steps }

    /// How many targets are not padding (the tokens the loss counts).
    package var tokenCount: Int { targets.reduce(0) { $0 + ($1 == Vocabulary.paddingID ? 0 : 1) } }

    /// The rows at `indices`, in that order, as one batch.
    package func batch(rows indices: some Collection<Int>) -> TokenBatch {
        var batchInputs: [Int32] = [], batchTargets: [Int32] = []
        batchInputs.reserveCapacity(indices.count * steps)
        batchTargets.reserveCapacity(indices.count * steps)
        for row in indices {
            batchInputs += inputs[(row * steps)..<((row + 1) * steps)]
            batchTargets += targets[(row * steps)..<((row + 1) * steps)]
        }
        return TokenBatch(inputs: batchInputs, targets: batchTargets, batch: indices.count, steps: steps)
    }
}
