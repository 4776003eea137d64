/// The slow, obviously correct GEMM that the fast one is tested against (llm.c's `matmul_forward_naive`).
///
/// Same contract as `gemm`: `C = alpha * op(A) * op(B) + beta * C`, row-major, C not read when beta is 0.
/// Sums run in Double so that the reference is more accurate than what it checks.
package func gemmReference(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let aValue = transposeA ? a[p * lda + i] : a[i * lda + p]
                let bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                sum += Double(aValue) * Double(bValue)
            }
            let previous = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
            c[i * ldc + j] = Float(Double(alpha) * sum + previous)
        }
    }
}
