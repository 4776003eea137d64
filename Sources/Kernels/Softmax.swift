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
