/// Vectorised single-precision e^x, logistic sigmoid and tanh over eight lanes, deterministic.
///
/// e^x is within 2 ulp of libm.
/// The Cephes `expf` scheme (Moshier 1992), as SLEEF and the SSE/AVX "mathfun" ports use it: split
/// x = n·ln 2 + r with |r| ≤ ln 2 / 2 (Cody–Waite, ln 2 in two parts), approximate e^r by a degree-6
/// polynomial, and build 2ⁿ from the exponent bits. The rounding to n uses the 1.5·2²³ "magic" add, so
/// every step is a plain SIMD add, multiply or integer shift: no per-lane branches, no libm call, and
/// the same bits on every machine that runs IEEE single precision without fused multiply-adds (Swift
/// does not contract `a * b + c`). Inputs below −87.3 give 0 (the result would be subnormal); above
/// 88.7 they are clamped, giving the largest finite power, which softmax never reaches after its max
/// shift.
package enum VectorMath {
    @usableFromInline static let log2e: Float = 1.442_695_04
    @usableFromInline static let ln2High: Float = 0.693_359_375
    @usableFromInline static let ln2Low: Float = -2.121_944_4e-4
    @usableFromInline static let roundingMagic: Float = 12_582_912  // 1.5 · 2²³

    /// e^x lane by lane.
    @inlinable @inline(__always)
    package static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        // Comparisons and blends rather than `clamped`, whose generic pointwise min/max is not inlined.
        let lowest = SIMD8<Float>(repeating: -87.336_54), highest = SIMD8<Float>(repeating: 88.376_26)
        var clamped = x.replacing(with: lowest, where: x .< lowest)
        clamped.replace(with: highest, where: clamped .> highest)
        let shifted = clamped * log2e + roundingMagic
        let n = shifted - roundingMagic
        let r = clamped - n * ln2High - n * ln2Low
        var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 0.166_666_65
        p = p * r + 0.5
        p = p * (r * r) + r + 1
        // shifted's low mantissa bits hold n + 2²² (two's complement for negative n).
        let exponentBits = (unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
        let result = p * unsafeBitCast(exponentBits, to: SIMD8<Float>.self)
        return result.replacing(with: 0, where: x .< lowest)
    }

    /// The logistic function 1 / (1 + e^−x), lane by lane.
    @inlinable @inline(__always)
    package static func sigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 / (1 + exp(-x))
    }

    /// tanh x = 1 − 2 / (e^2x + 1), lane by lane: exact limits ±1, absolute error below 1e-7 near 0
    /// (relative error grows there, which a gate non-linearity does not feel).
    @inlinable @inline(__always)
    package static func tanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
        1 - 2 / (exp(x + x) + 1)
    }

    /// e^x for one value, through the same lanes (so scalar tails match the vector body bit for bit).
    @inlinable
    package static func exp(_ x: Float) -> Float {
        exp(SIMD8(repeating: x))[0]
    }

    /// Replaces each value v of `values` by e^(v − shift) and returns their sum in a fixed order
    /// (eight lane sums, then lanes 0…7, then the tail), so softmax is vectorised and deterministic.
    package static func exponentiateAndSum(_ values: UnsafeMutablePointer<Float>, count: Int, shift: Float) -> Float {
        var lanes = SIMD8<Float>()
        var index = 0
        let raw = UnsafeMutableRawPointer(values)
        while index + 8 <= count {
            let chunk = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
            let e = exp(chunk - shift)
            raw.storeBytes(of: e, toByteOffset: index * 4, as: SIMD8<Float>.self)
            lanes += e
            index += 8
        }
        var total = lanes.sum()
        while index < count {
            let e = exp(values[index] - shift)
            values[index] = e
            total += e
            index += 1
        }
        return total
    }

    /// Σ e^(v − shift) over `values` without storing the exponentials (log-softmax's normaliser).
    package static func sumOfExponentials(_ values: UnsafePointer<Float>, count: Int, shift: Float) -> Float {
        var lanes = SIMD8<Float>()
        var index = 0
        let raw = UnsafeRawPointer(values)
        while index + 8 <= count {
            lanes += exp(raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self) - shift)
            index += 8
        }
        var total = lanes.sum()
        while index < count {
            total += exp(values[index] - shift)
            index += 1
        }
        return total
    }
}
