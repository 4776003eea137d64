import Kernels

/// GELU (tanh form, Hendrycks & Gimpel 2016) over whole buffers eight lanes at a time with
/// `VectorMath.tanh`, for the feed-forward layers whose F-wide activations are the largest elementwise
/// work of a transformer step; the scalar `Elementwise.gelu` calls libm's tanhf per value.
package enum VectorGELU {
    @inline(__always)
    private static func inner(_ x: SIMD8<Float>) -> SIMD8<Float> { 0.797_884_56 * (x + 0.044715 * x * x * x) }

    // out[i] = gelu(x[i]); out may alias x
    package static func forward(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let source = UnsafeRawPointer(x), target = UnsafeMutableRawPointer(out)
        while i + 8 <= count {
            let v = source.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let t = VectorMath.tanh(inner(v))
            target.storeBytes(of: 0.5 * v * (1 + t), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { out[i] = Elementwise.gelu(x[i]); i += 1 }
    }

    // hidden[i] = gelu(x[i]) and dHidden[i] *= gelu′(x[i]): backward's recomputed activation and the
    // pre-activation gradient from one tanh. `dHidden` must already hold d(hidden).
    package static func derivative(_ x: UnsafePointer<Float>, multiplying dHidden: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        let source = UnsafeRawPointer(x), target = UnsafeMutableRawPointer(dHidden)
        while i + 8 <= count {
            let v = source.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            let t = VectorMath.tanh(inner(v))
            let dInner = 0.797_884_56 * (1 + 3 * 0.044715 * v * v)
            let d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * dInner
            let upstream = target.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            target.storeBytes(of: upstream * d, toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { dHidden[i] *= Elementwise.geluDerivative(x[i]); i += 1 }
    }
}
