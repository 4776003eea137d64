import Foundation
import Kernels

/// Multi-head cross-attention: decoder rows (queries) attend to the first `memoryLengths[b]` rows of an
/// encoder output (keys and values), the encoder's padding masked (Vaswani et al. 2017, the decoder's
/// second sub-layer; the attention half of CTC-AED, Kim, Hori & Watanabe 2017).
///
/// Like `SelfAttention`, one (sequence, head) at a time through `MaskedAttention` with a reused
/// queries × keys block per thread, so memory grows as U·T, not batch × heads × U × T. Saved per step:
/// Q [B, U, D], K/V [B, T, 2D], mixed [B, U, D], log-sum-exp [B, H, U].
package struct CrossAttention: Sendable {
    package let width: Int
    package let heads: Int
    package let query: Linear
    package let keyValue: Linear
    package let output: Linear

    /// Adds the three projections under `prefix` to `layout`.
    package init(adding layout: inout ParameterLayout, prefix: String, width d: Int, heads: Int) {
        precondition(d % heads == 0, "CrossAttention: width \(d) not divisible by \(heads) heads")
        func linear(_ name: String, _ inputs: Int, _ outputs: Int) -> Linear {
            Linear(inputs: inputs, outputs: outputs, weight: layout.add("\(prefix).\(name).weight", shape: [outputs, inputs]),
                   bias: layout.add("\(prefix).\(name).bias", shape: [outputs]))
        }
        width = d
        self.heads = heads
        query = linear("query", d, d)
        keyValue = linear("keyValue", d, 2 * d)
        output = linear("output", d, d)
    }

    /// Floats forward keeps for `batch` sequences of `steps` queries against `memorySteps` keys.
    package static func savedCount(batch: Int, steps: Int, memorySteps: Int, width: Int, heads: Int) -> Int {
        batch * steps * (2 * width + heads) + batch * memorySteps * 2 * width
    }

    /// Floats of scratch (backward's dMixed, dQ, dKV, then `slots` blocks of 2·U·T).
    package static func scratchCount(batch: Int, steps: Int, memorySteps: Int, width: Int, slots: Int) -> Int {
        batch * steps * 2 * width + batch * memorySteps * 2 * width
            + slots * MaskedAttention.backwardScratchCount(queries: steps, keys: memorySteps)
    }

    /// Multiply-adds of one forward pass.
    package func forwardFLOPs(batch: Int, steps: Int, memorySteps: Int) -> Double {
        let d = Double(width)
        return Double(batch * steps) * (2 * d * d + 2 * Double(memorySteps) * d) + Double(batch * memorySteps) * 2 * d * d
    }

    private struct Saved {
        let q, kv, mixed, logSumExp: UnsafeMutablePointer<Float>
        init(_ base: UnsafeMutablePointer<Float>, batch: Int, steps: Int, memorySteps: Int, width: Int) {
            q = base
            kv = base + batch * steps * width
            mixed = kv + batch * memorySteps * 2 * width
            logSumExp = mixed + batch * steps * width
        }
    }

    // x: [B, U, D] queries' input, memory: [B, T, D] → out: [B, U, D]; saved: [savedCount]; scratch: [scratchCount]
    package func forward(x: UnsafePointer<Float>, memory: UnsafePointer<Float>, batch: Int, steps: Int, memorySteps: Int,
                         memoryLengths: [Int], parameters: UnsafePointer<Float>, saved: UnsafeMutablePointer<Float>,
                         out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) {
        let d = width, headSize = d / heads, scale = 1 / Float(headSize).squareRoot()
        let s = Saved(saved, batch: batch, steps: steps, memorySteps: memorySteps, width: d)
        query.forward(x: x, rows: batch * steps, parameters: parameters, out: s.q, pool: pool)
        keyValue.forward(x: memory, rows: batch * memorySteps, parameters: parameters, out: s.kv, pool: pool)
        let slotBase = scratch + batch * (steps + memorySteps) * 2 * d
        let slotSize = MaskedAttention.backwardScratchCount(queries: steps, keys: memorySteps)
        forEachSequenceHead(batch: batch, pool: pool) { b, h, slot in
            let keys = s.kv + b * memorySteps * 2 * d + h * headSize
            MaskedAttention.forward(q: s.q + b * steps * d + h * headSize, qStride: d, k: keys, kStride: 2 * d,
                                    v: keys + d, vStride: 2 * d, queries: steps, keys: memoryLengths[b], headSize: headSize,
                                    scale: scale, out: s.mixed + b * steps * d + h * headSize, outStride: d,
                                    logSumExp: s.logSumExp + (b * heads + h) * steps, scratch: slotBase + slot * slotSize)
        }
        output.forward(x: s.mixed, rows: batch * steps, parameters: parameters, out: out, pool: pool)
    }

    // dOut: [B, U, D]; parameter gradients accumulated; dX: [B, U, D] overwritten; dMemory: [B, T, D]
    // accumulated (+=), padded memory rows untouched
    package func backward(x: UnsafePointer<Float>, memory: UnsafePointer<Float>, dOut: UnsafePointer<Float>, batch: Int,
                          steps: Int, memorySteps: Int, memoryLengths: [Int], parameters: UnsafePointer<Float>,
                          saved: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>,
                          scratch: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>,
                          dMemory: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) {
        let d = width, headSize = d / heads, scale = 1 / Float(headSize).squareRoot()
        let s = Saved(saved, batch: batch, steps: steps, memorySteps: memorySteps, width: d)
        let rows = batch * steps, memoryRows = batch * memorySteps
        let dMixed = scratch, dQ = scratch + rows * d, dKV = scratch + 2 * rows * d
        let slotBase = scratch + (rows + memoryRows) * 2 * d
        let slotSize = MaskedAttention.backwardScratchCount(queries: steps, keys: memorySteps)
        output.backward(x: s.mixed, dOut: dOut, rows: rows, parameters: parameters, gradients: gradients, dX: dMixed, pool: pool)
        forEachSequenceHead(batch: batch, pool: pool) { b, h, slot in
            let keys = s.kv + b * memorySteps * 2 * d + h * headSize, dKeys = dKV + b * memorySteps * 2 * d + h * headSize
            MaskedAttention.backward(q: s.q + b * steps * d + h * headSize, qStride: d, k: keys, kStride: 2 * d,
                                     v: keys + d, vStride: 2 * d, queries: steps, keys: memoryLengths[b], headSize: headSize,
                                     scale: scale, logSumExp: s.logSumExp + (b * heads + h) * steps,
                                     dOut: dMixed + b * steps * d + h * headSize, dOutStride: d,
                                     dQ: dQ + b * steps * d + h * headSize, dQStride: d, dK: dKeys, dKStride: 2 * d,
                                     dV: dKeys + d, dVStride: 2 * d, scratch: slotBase + slot * slotSize)
        }
        for b in 0..<batch where memoryLengths[b] < memorySteps {
            (dKV + (b * memorySteps + memoryLengths[b]) * 2 * d).update(repeating: 0, count: (memorySteps - memoryLengths[b]) * 2 * d)
        }
        query.backward(x: x, dOut: dQ, rows: rows, parameters: parameters, gradients: gradients, dX: dX, pool: pool)
        // dMemory += dKV Wkv (no bias term in dX); the weight and bias gradients as usual.
        keyValue.backward(x: memory, dOut: dKV, rows: memoryRows, parameters: parameters, gradients: gradients, dX: nil, pool: pool)
        gemm(transposeA: false, transposeB: false, m: memoryRows, n: d, k: 2 * d, alpha: 1, a: dKV, lda: 2 * d,
             b: parameters + keyValue.weight.offset, ldb: d, beta: 1, c: dMemory, ldc: d, pool: pool)
    }

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
