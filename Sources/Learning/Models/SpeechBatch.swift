/// One padded batch of utterances for the speech recogniser: log-mel features, each utterance's real
/// length, and its characters.
///
/// Features are `[batch, maxFrames, featureWidth]` row-major with rows past `frameCounts[b]` zero;
/// labels are character classes 1…classes−1 (0 is the CTC blank) without start or end markers, which
/// the attention decoder adds itself.
package struct SpeechBatch: Sendable {
    package var features: [Float]
    /// Input (10 ms) frames per utterance, each ≤ `maxFrames`.
    package var frameCounts: [Int]
    package var labels: [[Int32]]
    package var maxFrames: Int
    package var featureWidth: Int

    package init(features: [Float], frameCounts: [Int], labels: [[Int32]], maxFrames: Int, featureWidth: Int) {
        precondition(frameCounts.count == labels.count, "SpeechBatch: \(frameCounts.count) frame counts for \(labels.count) label sequences")
        precondition(features.count == frameCounts.count * maxFrames * featureWidth,
                     "SpeechBatch: \(features.count) feature values for \(frameCounts.count) × \(maxFrames) × \(featureWidth)")
        self.features = features
        self.frameCounts = frameCounts
        self.labels = labels
        self.maxFrames = maxFrames
        self.featureWidth = featureWidth
    }

    /// Utterances in the batch.
    package var batchSize: Int { frameCounts.count }

    /// The longest label sequence.
    package var maxLabelLength: Int { labels.reduce(0) { max($0, $1.count) } }
}

/// A speech batch's training loss: sums, so a client can add them over its batches before dividing.
///
/// `lossSum` is Σ over target characters of λ·CTC + (1 − λ)·attention cross-entropy (the attention part
/// includes each utterance's end marker), `targetCount` the characters of the utterances it covers
/// (those an alignment fits), so `lossSum / targetCount` is the mean loss whose gradient training uses.
package struct SpeechLoss: Sendable, Equatable {
    package var lossSum: Double
    package var targetCount: Int
    /// Σ CTC negative log-likelihoods of the feasible utterances (unweighted).
    package var ctcSum: Double
    /// Σ attention-decoder cross-entropies of the same utterances (unweighted; 0 without a decoder).
    package var attentionSum: Double
    /// Utterances whose labels no CTC alignment fits in their frames; left out of every sum.
    package var infeasibleCount: Int

    package init(lossSum: Double, targetCount: Int, ctcSum: Double, attentionSum: Double, infeasibleCount: Int) {
        self.lossSum = lossSum
        self.targetCount = targetCount
        self.ctcSum = ctcSum
        self.attentionSum = attentionSum
        self.infeasibleCount = infeasibleCount
    }

    /// The loss per target character (0 for an empty batch).
    package var mean: Double { targetCount == 0 ? 0 : lossSum / Double(targetCount) }
}
