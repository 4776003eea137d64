import Foundation
import Kernels

/// Multi-head non-causal self-attention over padded sequences: every frame attends to every valid frame
/// of its own sequence (Vaswani et al. 2017), as a speech encoder does. Sequence b has `lengths[b]`
/// valid frames; padded keys get no weight, padded query rows output exactly 0 and pass no gradient, so
/// the valid frames' outputs do not depend on what the padding holds.
///
/// Q, K, V come from one fused [3D, D] projection. Attention runs one (sequence, head) at a time through
/// `MaskedAttention`, which keeps only a log-sum-exp per query row and recomputes the probabilities in
/// backward, so nothing of size batch × heads × T × T is ever held. Memory, in floats, for `B`
/// sequences of `T` frames at width D with H heads:
///   saved for backward (`Buffers.count`):  B·T·(4D + H)     — Q/K/V, mixed values, row log-sum-exps
///   scratch (`scratchCount`):              B·T·4D + S·2·T²  — dMixed, dQKV, and per thread (S slots) one
///                                                            probability block and its gradient
/// For 30 s of audio (T ≈ 1000 after 3× subsampling) the T² part is 8 MB per thread whatever B and H.
/// With a pool, the (sequence, head) pairs are split over its threads; each pair writes only its own
/// columns of its own rows, so results are bit-identical on any thread count.
package struct SelfAttention: Sendable {
    package let width: Int
    package let heads: Int
    package let qkv: Linear
    package let output: Linear

    package init(width: Int, heads: Int, qkv: Linear, output: Linear) {
        precondition(width % heads == 0, "SelfAttention: width \(width) not divisible by \(heads) heads")
        precondition(qkv.inputs == width && qkv.outputs == 3 * width, "SelfAttention: qkv shape")
        precondition(output.inputs == width && output.outputs == width, "SelfAttention: output shape")
        self.width = width
        self.heads = heads
        self.qkv = qkv
        self.output = output
    }

    /// Adds the two projections of a `width`-wide, `heads`-head attention under `prefix` to `layout`.
    package static func add(to layout: inout ParameterLayout, prefix: String, width: Int, heads: Int) -> SelfAttention {
        SelfAttention(width: width, heads: heads,
                      qkv: Linear(inputs: width, outputs: 3 * width, weight: layout.add("\(prefix).qkv.weight", shape: [3 * width, width]),
                                  bias: layout.add("\(prefix).qkv.bias", shape: [3 * width])),
                      output: Linear(inputs: width, outputs: width, weight: layout.add("\(prefix).output.weight", shape: [width, width]),
                                     bias: layout.add("\(prefix).output.bias", shape: [width])))
    }

    /// What forward keeps for backward: qkv [B, T, 3D], mixed values [B, T, D], log-sum-exp [B, H, T].
    package struct Buffers {
        package let qkv: UnsafeMutablePointer<Float>
        package let mixed: UnsafeMutablePointer<Float>
        package let logSumExp: UnsafeMutablePointer<Float>

        /// Carves the buffers out of `base`, which holds `count(...)` floats.
        package init(base: UnsafeMutablePointer<Float>, batch: Int, steps: Int, width: Int) {
            qkv = base
            mixed = base + batch * steps * 3 * width
            logSumExp = base + batch * steps * 4 * width
        }

        /// Floats for `batch` sequences of `steps` frames.
        package static func count(batch: Int, steps: Int, width: Int, heads: Int) -> Int {
            batch * steps * (4 * width + heads)
        }
    }

    /// Scratch slots a call with `pool` uses: one per thread.
    package static func slots(pool: ThreadPool?) -> Int { pool?.threadCount ?? 1 }

    /// Floats of scratch forward and backward need (backward's dMixed and dQKV, then the T² slots).
    package static func scratchCount(batch: Int, steps: Int, width: Int, slots: Int) -> Int {
        batch * steps * 4 * width + slots * MaskedAttention.backwardScratchCount(queries: steps, keys: steps)
    }

    /// Multiply-adds of one forward pass (backward is twice this).
    package func forwardFLOPs(batch: Int, steps: Int) -> Double {
        let rows = Double(batch * steps), d = Double(width), t = Double(steps)
        return rows * 4 * d * d + rows * 2 * t * d
    }

    // x: [B, T, D] → out: [B, T, D]; lengths: [B], each ≤ T; scratch: [scratchCount(...)] with `slots(pool)` slots
    package func forward(x: UnsafePointer<Float>, batch: Int, steps: Int, lengths: [Int], parameters: UnsafePointer<Float>,
                         buffers: Buffers, out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                         pool: ThreadPool? = nil) {
        precondition(lengths.count == batch, "SelfAttention: \(lengths.count) lengths for \(batch) sequences")
        let d = width, headSize = width / heads, rows = batch * steps
        let scale = 1 / Float(headSize).squareRoot()
        qkv.forward(x: x, rows: rows, parameters: parameters, out: buffers.qkv, pool: pool)
        let slotBase = scratch + rows * 4 * d, slotSize = MaskedAttention.backwardScratchCount(queries: steps, keys: steps)
        forEachSequenceHead(batch: batch, pool: pool) { b, h, slot in
            let length = lengths[b], base = buffers.qkv + b * steps * 3 * d + h * headSize
            MaskedAttention.forward(q: base, qStride: 3 * d, k: base + d, kStride: 3 * d, v: base + 2 * d, vStride: 3 * d,
                                    queries: length, keys: length, headSize: headSize, scale: scale,
                                    out: buffers.mixed + b * steps * d + h * headSize, outStride: d,
                                    logSumExp: buffers.logSumExp + (b * heads + h) * steps, scratch: slotBase + slot * slotSize)
        }
        output.forward(x: buffers.mixed, rows: rows, parameters: parameters, out: out, pool: pool)
        for b in 0..<batch where lengths[b] < steps {
            (out + (b * steps + lengths[b]) * d).update(repeating: 0, count: (steps - lengths[b]) * d)
        }
    }

    // x, dOut: [B, T, D]; parameter gradients accumulated; dX overwritten (padded rows 0). dOut's padded
    // rows are ignored. scratch: as forward's.
    package func backward(x: UnsafePointer<Float>, dOut: UnsafePointer<Float>, batch: Int, steps: Int, lengths: [Int],
                          parameters: UnsafePointer<Float>, buffers: Buffers, gradients: UnsafeMutablePointer<Float>,
                          scratch: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) {
        let d = width, headSize = width / heads, rows = batch * steps
        let scale = 1 / Float(headSize).squareRoot()
        let dMixed = scratch, dQKV = scratch + rows * d
        let slotBase = scratch + rows * 4 * d, slotSize = MaskedAttention.backwardScratchCount(queries: steps, keys: steps)
        // The output projection sees only valid rows: padded rows' upstream is dropped (their output was forced to 0).
        dQKV.update(from: dOut, count: rows * d)
        for b in 0..<batch where lengths[b] < steps {
            (dQKV + (b * steps + lengths[b]) * d).update(repeating: 0, count: (steps - lengths[b]) * d)
        }
        output.backward(x: buffers.mixed, dOut: dQKV, rows: rows, parameters: parameters, gradients: gradients,
                        dX: dMixed, pool: pool)
        forEachSequenceHead(batch: batch, pool: pool) { b, h, slot in
            let length = lengths[b], offset = b * steps * 3 * d + h * headSize
            let base = buffers.qkv + offset, dBase = dQKV + offset
            MaskedAttention.backward(q: base, qStride: 3 * d, k: base + d, kStride: 3 * d, v: base + 2 * d, vStride: 3 * d,
                                     queries: length, keys: length, headSize: headSize, scale: scale,
                                     logSumExp: buffers.logSumExp + (b * heads + h) * steps,
                                     dOut: dMixed + b * steps * d + h * headSize, dOutStride: d,
                                     dQ: dBase, dQStride: 3 * d, dK: dBase + d, dKStride: 3 * d, dV: dBase + 2 * d, dVStride: 3 * d,
                                     scratch: slotBase + slot * slotSize)
        }
        for b in 0..<batch where lengths[b] < steps {
            (dQKV + (b * steps + lengths[b]) * 3 * d).update(repeating: 0, count: (steps - lengths[b]) * 3 * d)
        }
        qkv.backward(x: x, dOut: dQKV, rows: rows, parameters: parameters, gradients: gradients, dX: dX, pool: pool)
    }

    /// Runs `body(sequence, head, slot)` for every pair, split over the pool's threads (slot = thread).
    private func forEachSequenceHead(batch: Int, pool: ThreadPool?, _ body: (Int, Int, Int) -> Void) {
        let pairs = batch * heads, h = heads
        guard let pool, pool.threadCount > 1, pairs > 1 else {
            for pair in 0..<pairs { body(pair / h, pair % h, 0) }
            return
        }
        pool.parallelFor(count: pairs) { range, chunk in
            for pair in range { body(pair / h, pair % h, chunk) }
        }
    }
}
