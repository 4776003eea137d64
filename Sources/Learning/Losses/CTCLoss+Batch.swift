extension CTCLoss {
    /// A batch's CTC loss: summed over the utterances an alignment fits, with the number of target
    /// characters it was summed over and the utterances that did not fit.
    package struct BatchResult: Sendable, Equatable {
        package var negativeLogLikelihood: Double
        /// Target characters of the feasible utterances: what the mean loss divides by.
        package var targetCount: Int
        package var infeasibleCount: Int

        package init(negativeLogLikelihood: Double, targetCount: Int, infeasibleCount: Int) {
            self.negativeLogLikelihood = negativeLogLikelihood
            self.targetCount = targetCount
            self.infeasibleCount = infeasibleCount
        }

        /// The loss per target character (0 for an empty batch).
        package var mean: Double { targetCount == 0 ? 0 : negativeLogLikelihood / Double(targetCount) }
    }

    /// Doubles of workspace `batchLossAndGradient` needs for sequences of at most `frames` frames and
    /// `labels` labels.
    package static func batchWorkspaceCount(frames: Int, labels: Int, classes: Int) -> Int {
        workspaceCount(frames: frames, labels: labels, classes: classes)
    }

    /// The loss of a padded batch, and in `logits` the gradient of its mean per target character.
    ///
    /// Sequence b uses its first `frameCounts[b]` frames; padding frames and every frame of an
    /// infeasible sequence get a zero gradient, so one utterance too long for its audio neither poisons
    /// the batch with +∞/NaN nor pulls on the weights. The mean is over target characters (tokens), as
    /// the language task's loss is, which is what `weighting: token` weights client updates by.
    // logits: [batch, maxFrames, classes], overwritten with d(mean loss)/d logits; frameCounts: [batch],
    // each ≤ maxFrames; labels: [batch] label sequences; workspace: [batchWorkspaceCount(...)] Doubles
    package static func batchLossAndGradient(
        logits: UnsafeMutablePointer<Float>, maxFrames: Int, classes: Int, frameCounts: [Int], labels: [[Int32]],
        blank: Int32 = 0, workspace: UnsafeMutablePointer<Double>
    ) -> BatchResult {
        precondition(frameCounts.count == labels.count, "CTCLoss: \(frameCounts.count) frame counts for \(labels.count) label sequences")
        let stride = maxFrames * classes
        // The scale needs the feasible targets first, so feasibility is decided before any loss runs.
        var targets = 0, infeasible = 0
        var feasible = [Bool](repeating: false, count: labels.count)
        for b in labels.indices {
            precondition(frameCounts[b] >= 0 && frameCounts[b] <= maxFrames, "CTCLoss: \(frameCounts[b]) frames of \(maxFrames)")
            feasible[b] = labels[b].withUnsafeBufferPointer { minimumFrames($0) } <= frameCounts[b]
            if feasible[b] { targets += labels[b].count } else { infeasible += 1 }
        }
        let scale = targets == 0 ? 0 : 1 / Float(targets)
        var sum = 0.0
        for b in labels.indices {
            let sequence = logits + b * stride, frames = frameCounts[b]
            (sequence + frames * classes).update(repeating: 0, count: (maxFrames - frames) * classes)
            guard feasible[b] else {
                sequence.update(repeating: 0, count: frames * classes)
                continue
            }
            let result = labels[b].withUnsafeBufferPointer {
                lossAndGradient(logits: sequence, frames: frames, classes: classes, labels: $0, blank: blank,
                                gradientScale: scale, workspace: workspace)
            }
            sum += result.negativeLogLikelihood
        }
        return BatchResult(negativeLogLikelihood: sum, targetCount: targets, infeasibleCount: infeasible)
    }
}
