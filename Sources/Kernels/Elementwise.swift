import Foundation

/// Element-wise kernels on raw buffers. Each checks sizes once at entry, then runs a loop the compiler
/// vectorises (no reduction, so no ordering concern). Transcendentals call libm per element.
package enum Elementwise {
    /// y += alpha * x.
    package static func axpy(_ alpha: Float, _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "axpy: \(x.count) vs \(y.count)")
        let xp = x.baseAddress!, yp = y.baseAddress!
        for i in 0..<y.count { yp[i] += alpha * xp[i] }
    }

    /// x *= alpha.
    package static func scale(_ x: UnsafeMutableBufferPointer<Float>, by alpha: Float) {
        guard let xp = x.baseAddress else { return }
        for i in 0..<x.count { xp[i] *= alpha }
    }

    /// out = a + b.
    package static func add(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>,
                            into out: UnsafeMutableBufferPointer<Float>) {
        precondition(a.count == b.count && a.count == out.count, "add: size mismatch")
        guard let ap = a.baseAddress, let bp = b.baseAddress, let op = out.baseAddress else { return }
        for i in 0..<out.count { op[i] = ap[i] + bp[i] }
    }

    /// out = a - b.
    package static func subtract(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>,
                                 into out: UnsafeMutableBufferPointer<Float>) {
        precondition(a.count == b.count && a.count == out.count, "subtract: size mismatch")
        guard let ap = a.baseAddress, let bp = b.baseAddress, let op = out.baseAddress else { return }
        for i in 0..<out.count { op[i] = ap[i] - bp[i] }
    }

    /// out = a * b (Hadamard product).
    package static func multiply(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>,
                                 into out: UnsafeMutableBufferPointer<Float>) {
        precondition(a.count == b.count && a.count == out.count, "multiply: size mismatch")
        guard let ap = a.baseAddress, let bp = b.baseAddress, let op = out.baseAddress else { return }
        for i in 0..<out.count { op[i] = ap[i] * bp[i] }
    }

    /// Adds `bias` (length `columns`) to every row of a `rows × columns` matrix.
    package static func addRowBias(_ bias: UnsafePointer<Float>, to matrix: UnsafeMutablePointer<Float>,
                                   rows: Int, columns: Int) {
        for r in 0..<rows {
            let row = matrix + r * columns
            for j in 0..<columns { row[j] += bias[j] }
        }
    }

    /// Accumulates the column sums of a `rows × columns` matrix into `sums` (bias gradients), rows in order.
    package static func accumulateColumnSums(_ matrix: UnsafePointer<Float>, rows: Int, columns: Int,
                                             into sums: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            let row = matrix + r * columns
            for j in 0..<columns { sums[j] += row[j] }
        }
    }

    /// The logistic function 1 / (1 + e^-x).
    @inlinable package static func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

    /// The tanh approximation of GELU (Hendrycks & Gimpel 2016), as GPT-2 uses.
    @inlinable package static func gelu(_ x: Float) -> Float {
        let inner = 0.7978845608 * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + tanhf(inner))
    }

    /// The derivative of `gelu` at x.
    @inlinable package static func geluDerivative(_ x: Float) -> Float {
        let inner = 0.7978845608 * (x + 0.044715 * x * x * x)
        let t = tanhf(inner)
        let dInner = 0.7978845608 * (1 + 3 * 0.044715 * x * x)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dInner
    }
}
