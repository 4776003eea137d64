import Foundation

/// Row-wise softmax and log-softmax, in place, over a `rows × columns` matrix.
///
/// Each row subtracts its maximum before exponentiating (the standard overflow guard); sums use the
/// fixed-order SIMD reduction, so the result is deterministic.
package enum Softmax {
    /// Replaces each row by its softmax and returns nothing; rows are independent.
    package static func softmaxRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for r in 0..<rows {
            let row = matrix + r * columns
            let rowMax = Reductions.max(UnsafeBufferPointer(start: row, count: columns))
            for j in 0..<columns { row[j] = expf(row[j] - rowMax) }
            let total = Reductions.sum(UnsafeBufferPointer(start: row, count: columns))
            let inverse = 1 / total
            for j in 0..<columns { row[j] *= inverse }
        }
    }

    /// Replaces each row by its log-softmax: x - max - log Σ exp(x - max).
    package static func logSoftmaxRows(_ matrix: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        for r in 0..<rows {
            let row = matrix + r * columns
            let rowMax = Reductions.max(UnsafeBufferPointer(start: row, count: columns))
            var total: Float = 0
            for j in 0..<columns { total += expf(row[j] - rowMax) }
            let logNormaliser = rowMax + logf(total)
            for j in 0..<columns { row[j] -= logNormaliser }
        }
    }
}
