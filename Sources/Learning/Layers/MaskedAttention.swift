import Foundation
import Kernels

/// Scaled dot-product attention of one head of one sequence, softmax(Q Kᵀ · scale) V, over the first
/// `keys` keys only (the rest are padding and get no weight), with the probabilities never kept.
///
/// Forward keeps only the log-sum-exp of each score row; backward recomputes the probabilities from Q, K
/// and that row constant (P = exp(S − lse)), which is the memory trade of FlashAttention (Dao et al.
/// 2022, §3.1: keep the softmax statistics, recompute the scores) without its tiling: the scratch is
/// one `queries × keys` block per call, reused for every (sequence, head), so attention memory grows as
/// T², not batch × heads × T². Both products are GEMMs (the kernels' BLIS GEMM reads the head's columns
/// of the fused Q/K/V rows through the leading dimension, with no copy).
package enum MaskedAttention {
    /// Floats of scratch `forward` needs: one score block.
    package static func forwardScratchCount(queries: Int, keys: Int) -> Int { queries * keys }
    /// Floats of scratch `backward` needs: the probability block and its gradient.
    package static func backwardScratchCount(queries: Int, keys: Int) -> Int { 2 * queries * keys }

    // q: [queries, headSize] rows `qStride` apart, k, v: [keys, headSize] rows `kStride`/`vStride` apart;
    // out: [queries, headSize] rows `outStride` apart, overwritten; logSumExp: [queries], written;
    // scratch: [queries · keys]
    package static func forward(q: UnsafePointer<Float>, qStride: Int, k: UnsafePointer<Float>, kStride: Int,
                                v: UnsafePointer<Float>, vStride: Int, queries: Int, keys: Int, headSize: Int, scale: Float,
                                out: UnsafeMutablePointer<Float>, outStride: Int, logSumExp: UnsafeMutablePointer<Float>,
                                scratch: UnsafeMutablePointer<Float>) {
        guard queries > 0 else { return }
        guard keys > 0 else {
            for i in 0..<queries { (out + i * outStride).update(repeating: 0, count: headSize); logSumExp[i] = 0 }
            return
        }
        let scores = scratch
        gemm(transposeA: false, transposeB: true, m: queries, n: keys, k: headSize, alpha: scale, a: q, lda: qStride,
             b: k, ldb: kStride, beta: 0, c: scores, ldc: keys)
        for i in 0..<queries {
            let row = scores + i * keys
            let largest = Reductions.max(UnsafeBufferPointer(start: row, count: keys))
            let total = VectorMath.exponentiateAndSum(row, count: keys, shift: largest)
            let inverse = 1 / total
            for j in 0..<keys { row[j] *= inverse }
            logSumExp[i] = largest + logf(total)
        }
        gemm(transposeA: false, transposeB: false, m: queries, n: headSize, k: keys, alpha: 1, a: scores, lda: keys,
             b: v, ldb: vStride, beta: 0, c: out, ldc: outStride)
    }

    // As forward, plus dOut: [queries, headSize] (`dOutStride`); dQ, dK, dV overwritten (their strides);
    // scratch: [2 · queries · keys]
    package static func backward(q: UnsafePointer<Float>, qStride: Int, k: UnsafePointer<Float>, kStride: Int,
                                 v: UnsafePointer<Float>, vStride: Int, queries: Int, keys: Int, headSize: Int, scale: Float,
                                 logSumExp: UnsafePointer<Float>, dOut: UnsafePointer<Float>, dOutStride: Int,
                                 dQ: UnsafeMutablePointer<Float>, dQStride: Int, dK: UnsafeMutablePointer<Float>, dKStride: Int,
                                 dV: UnsafeMutablePointer<Float>, dVStride: Int, scratch: UnsafeMutablePointer<Float>) {
        guard keys > 0 else {
            for i in 0..<queries { (dQ + i * dQStride).update(repeating: 0, count: headSize) }
            return
        }
        guard queries > 0 else {
            for j in 0..<keys {
                (dK + j * dKStride).update(repeating: 0, count: headSize)
                (dV + j * dVStride).update(repeating: 0, count: headSize)
            }
            return
        }
        let probabilities = scratch, dScores = scratch + queries * keys
        // P = exp(Q Kᵀ · scale − lse), the forward's probabilities recomputed.
        gemm(transposeA: false, transposeB: true, m: queries, n: keys, k: headSize, alpha: scale, a: q, lda: qStride,
             b: k, ldb: kStride, beta: 0, c: probabilities, ldc: keys)
        for i in 0..<queries {
            _ = VectorMath.exponentiateAndSum(probabilities + i * keys, count: keys, shift: logSumExp[i])
        }
        // dV = Pᵀ dO; dP = dO Vᵀ
        gemm(transposeA: true, transposeB: false, m: keys, n: headSize, k: queries, alpha: 1, a: probabilities, lda: keys,
             b: dOut, ldb: dOutStride, beta: 0, c: dV, ldc: dVStride)
        gemm(transposeA: false, transposeB: true, m: queries, n: keys, k: headSize, alpha: 1, a: dOut, lda: dOutStride,
             b: v, ldb: vStride, beta: 0, c: dScores, ldc: keys)
        // Softmax backward: dS = P ⊙ (dP − Σⱼ P dP) (the scale is folded into the next two products).
        for i in 0..<queries {
            let p = probabilities + i * keys, d = dScores + i * keys
            var weighted: Float = 0
            for j in 0..<keys { weighted += p[j] * d[j] }
            for j in 0..<keys { d[j] = p[j] * (d[j] - weighted) }
        }
        // dQ = dS K · scale; dK = dSᵀ Q · scale
        gemm(transposeA: false, transposeB: false, m: queries, n: headSize, k: keys, alpha: scale, a: dScores, lda: keys,
             b: k, ldb: kStride, beta: 0, c: dQ, ldc: dQStride)
        gemm(transposeA: true, transposeB: false, m: keys, n: headSize, k: queries, alpha: scale, a: dScores, lda: keys,
             b: q, ldb: qStride, beta: 0, c: dK, ldc: dKStride)
    }
}
