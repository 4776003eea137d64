import Kernels

/// Inverted dropout: each element is kept with probability 1 − rate and scaled by 1 / (1 − rate).
///
/// The mask is drawn from a counter-based stream the caller keys (seed, step, layer), so a step's mask
/// is reproducible on any thread and after a resume (Srivastava et al. 2014).
package enum Dropout {
    // x, out, mask: [count]; mask holds 0 or 1/(1−rate) for backward
    package static func forward(x: UnsafePointer<Float>, count: Int, rate: Float, stream: inout RandomStream,
                                mask: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1)")
        let keep = 1 / (1 - rate)
        for i in 0..<count {
            mask[i] = stream.uniform() < rate ? 0 : keep
            out[i] = x[i] * mask[i]
        }
    }

    // dOut, mask: [count] → dX = dOut ⊙ mask (may alias dOut)
    package static func backward(dOut: UnsafePointer<Float>, mask: UnsafePointer<Float>, count: Int,
                                 dX: UnsafeMutablePointer<Float>) {
        for i in 0..<count { dX[i] = dOut[i] * mask[i] }
    }
}
