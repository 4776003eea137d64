/// Reductions with explicit SIMD8 accumulators in a fixed lane order.
///
/// The compiler does not vectorise a floating-point reduction (it may not reorder the sum), so these
/// loops spell out eight running partial sums and combine them in one fixed order: fast, and identical
/// from run to run for the same binary, which Murmur's determinism relies on.
package enum Reductions {
    /// The sum of the elements.
    package static func sum(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let p = x.baseAddress else { return 0 }
        let n = x.count
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i &+ 16 <= n {
            acc0 += load8(p, i)
            acc1 += load8(p, i &+ 8)
            i &+= 16
        }
        var total = (acc0 + acc1).sum()
        while i < n { total += p[i]; i &+= 1 }
        return total
    }

    /// The dot product of two equal-length vectors.
    package static func dot(_ x: UnsafeBufferPointer<Float>, _ y: UnsafeBufferPointer<Float>) -> Float {
        precondition(x.count == y.count, "dot: \(x.count) vs \(y.count)")
        guard let xp = x.baseAddress, let yp = y.baseAddress else { return 0 }
        let n = x.count
        var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
        var i = 0
        while i &+ 16 <= n {
            acc0 += load8(xp, i) * load8(yp, i)
            acc1 += load8(xp, i &+ 8) * load8(yp, i &+ 8)
            i &+= 16
        }
        var total = (acc0 + acc1).sum()
        while i < n { total += xp[i] * yp[i]; i &+= 1 }
        return total
    }

    /// The sum of squares, accumulated in Double per SIMD block for accuracy on long vectors (norms of
    /// whole model updates, where the clip decision depends on the value).
    package static func sumOfSquares(_ x: UnsafeBufferPointer<Float>) -> Double {
        guard let p = x.baseAddress else { return 0 }
        let n = x.count
        var total = 0.0
        var i = 0
        while i < n {
            let end = min(n, i &+ 4096)
            var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
            var j = i
            while j &+ 16 <= end {
                let v0 = load8(p, j)
                let v1 = load8(p, j &+ 8)
                acc0 += v0 * v0
                acc1 += v1 * v1
                j &+= 16
            }
            var block = Double((acc0 + acc1).sum())
            while j < end { block += Double(p[j] * p[j]); j &+= 1 }
            total += block
            i = end
        }
        return total
    }

    /// The largest element (−∞ for an empty buffer).
    package static func max(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let p = x.baseAddress, x.count > 0 else { return -.infinity }
        let n = x.count
        var acc = SIMD8<Float>(repeating: -.infinity)
        var i = 0
        while i &+ 8 <= n {
            let chunk = load8(p, i)
            acc.replace(with: chunk, where: chunk .> acc)  // pointwiseMax is not specialised here
            i &+= 8
        }
        var result = acc.max()
        while i < n { result = Swift.max(result, p[i]); i &+= 1 }
        return result
    }
}

/// Eight floats from `base + offset`, at any alignment.
@inline(__always)
private func load8(_ base: UnsafePointer<Float>, _ offset: Int) -> SIMD8<Float> {
    UnsafeRawPointer(base + offset).loadUnaligned(as: SIMD8<Float>.self)
}
