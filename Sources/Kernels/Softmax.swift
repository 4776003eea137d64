import CKernels
import Foundation

/// Row-wise softmax and log-softmax, in place, over a `rows × columns` matrix.
///
/// Each row subtracts its maximum before exponentiating (the standard overflow guard); the exponentials
/// are `VectorMath`'s and their sums run in a fixed order, so the result is fast and deterministic.
package enum Softmax {
    /// Replaces each row by its softmax and returns nothing; rows are independent.
    package static func softmaxRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for r in 0..<rows {
            let row = matrix + r * columns
            let rowMax = Reductions.max(UnsafeBufferPointer(start: row, count: columns))
            let total = VectorMath.exponentiateAndSum(row, count: columns, shift: rowMax)
            let inverse = 1 / total
            for j in 0..<columns { row[j] *= inverse }
        }
    }

    /// Replaces `row` by `scale · (softmax(row) − onehot(target))`, the gradient of softmax cross-entropy
    /// scaled by `scale`, and returns softmax(row)[target]: three passes over the row (max, exponentials
    /// with their sum, one scaling), sixteen lanes at a time on AVX-512 CPUs (C, chosen at run time).
    /// `vectorised: false` runs the portable loop, for tests of both.
    package static func crossEntropyGradientRow(_ row: UnsafeMutablePointer<Float>, count: Int, target: Int,
                                                scale: Float, vectorised: Bool = true) -> Float {
        precondition(target >= 0 && target < count, "Softmax: target \(target) out of 0..<\(count)")
        return murmur_softmax_gradient_row(vectorised ? 1 : 0, row, count, target, scale)
    }

    /// Replaces each row by its log-softmax: x - max - log Σ exp(x - max).
    package static func logSoftmaxRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for r in 0..<rows {
            let row = matrix + r * columns
            let rowMax = Reductions.max(UnsafeBufferPointer(start: row, count: columns))
            let total = VectorMath.sumOfExponentials(row, count: columns, shift: rowMax)
            let logNormaliser = rowMax + logf(total)
            for j in 0..<columns { row[j] -= logNormaliser }
        }
    }
}
