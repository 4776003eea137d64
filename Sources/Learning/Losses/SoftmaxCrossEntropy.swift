import Foundation
import Kernels

/// Softmax cross-entropy over rows of logits, with padding targets ignored.
///
/// The loss is the mean negative log-likelihood over the rows whose target is not `ignoredTarget`
/// (PyTorch's `cross_entropy(ignore_index=…)`, pfl-research's LM loss). The backward pass is fused:
/// the logits buffer is overwritten with dLoss/dLogits = (softmax − onehot) / count, zero on ignored rows.
package enum SoftmaxCrossEntropy {
    /// The summed NLL and the number of counted targets, without touching the logits' gradient.
    package struct Result: Sendable, Equatable {
        package var negativeLogLikelihood: Double
        package var count: Int
        package var mean: Double { count == 0 ? 0 : negativeLogLikelihood / Double(count) }
        package init(negativeLogLikelihood: Double, count: Int) {
            self.negativeLogLikelihood = negativeLogLikelihood
            self.count = count
        }
    }

    // logits: [rows, classes] (overwritten with the gradient of the mean loss), targets: [rows]
    package static func lossAndGradient(
        logits: UnsafeMutablePointer<Float>, rows: Int, classes: Int,
        targets: UnsafeBufferPointer<Int32>, ignoredTarget: Int32?
    ) -> Result {
        precondition(targets.count == rows, "SoftmaxCrossEntropy: \(targets.count) targets for \(rows) rows")
        let counted = targets.reduce(0) { $0 + ($1 == ignoredTarget ? 0 : 1) }
        var nll = 0.0
        let scale = counted == 0 ? 0 : 1 / Float(counted)
        for r in 0..<rows {
            let row = logits + r * classes
            let target = targets[r]
            if target == ignoredTarget {
                row.update(repeating: 0, count: classes)
                continue
            }
            precondition(target >= 0 && Int(target) < classes, "SoftmaxCrossEntropy: target \(target) out of range")
            // (softmax − onehot) · scale in three passes (max, exponentials and their sum, one scaling by
            // scale / Σ), rather than normalising and scaling separately.
            let probability = Softmax.crossEntropyGradientRow(row, count: classes, target: Int(target), scale: scale)
            nll -= Double(logf(max(probability, Float.leastNormalMagnitude)))
        }
        return Result(negativeLogLikelihood: nll, count: counted)
    }

    /// The summed NLL, top-1 and top-3 hits for evaluation; the logits are overwritten (log-softmax).
    package static func evaluate(
        logits: UnsafeMutablePointer<Float>, rows: Int, classes: Int,
        targets: UnsafeBufferPointer<Int32>, ignoredTarget: Int32?
    ) -> (result: Result, top1: Int, top3: Int) {
        var outcome = (result: Result(negativeLogLikelihood: 0, count: 0), top1: 0, top3: 0)
        evaluate(logits: logits, rows: rows, classes: classes, targets: targets, ignoredTarget: ignoredTarget,
                 adding: &outcome)
        return outcome
    }

    /// Adds the rows' NLL, top-1 and top-3 hits to `outcome`, continuing its running sums: a batch scored
    /// a chunk of rows at a time (so its rows × classes logits are never held at once) sums bit for bit
    /// as in one pass.
    package static func evaluate(
        logits: UnsafeMutablePointer<Float>, rows: Int, classes: Int,
        targets: UnsafeBufferPointer<Int32>, ignoredTarget: Int32?,
        adding outcome: inout (result: Result, top1: Int, top3: Int)
    ) {
        for r in 0..<rows where targets[r] != ignoredTarget {
            let row = logits + r * classes
            let target = Int(targets[r])
            let targetLogit = row[target]
            var higher = 0
            for j in 0..<classes where row[j] > targetLogit || (row[j] == targetLogit && j < target) { higher += 1 }
            if higher < 1 { outcome.top1 += 1 }
            if higher < 3 { outcome.top3 += 1 }
            Softmax.logSoftmaxRows(row, rows: 1, columns: classes)
            outcome.result.negativeLogLikelihood -= Double(row[target])
            outcome.result.count += 1
        }
    }
}
