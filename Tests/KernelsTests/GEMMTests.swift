import Kernels
import MurmurTestSupport
import Testing

/// The packed GEMM against the naive reference, in every transpose, on shapes that straddle the
/// 6×16 register tile and the cache blocks, and bit-identical on 1 and 2 threads.
@Suite struct GEMMTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        let m: Int, n: Int, k: Int
        var testDescription: String { "\(m)x\(k)x\(n)" }
    }

    static let shapes = [
        Shape(m: 1, n: 1, k: 1), Shape(m: 0, n: 5, k: 3), Shape(m: 5, n: 0, k: 3), Shape(m: 4, n: 5, k: 0),
        Shape(m: 6, n: 16, k: 15), Shape(m: 7, n: 17, k: 16), Shape(m: 15, n: 33, k: 17),
        Shape(m: 145, n: 31, k: 300), Shape(m: 13, n: 3100, k: 5), Shape(m: 50, n: 40, k: 700),
    ]

    @Test(arguments: shapes, [(false, false), (true, false), (false, true), (true, true)])
    func matchesReference(shape: Shape, transposes: (Bool, Bool)) {
        let (transposeA, transposeB) = transposes
        let (m, n, k) = (shape.m, shape.n, shape.k)
        var random = TestRandom(seed: UInt64(m * 1_000_003 + n * 1009 + k))
        let a = random.floats(m * k), b = random.floats(k * n), c0 = random.floats(m * n)
        for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-2, 0.25)] {
            var fast = c0, slow = c0
            run(gemm: true, transposeA, transposeB, m, n, k, alpha, a, b, beta, &fast, pool: nil)
            run(gemm: false, transposeA, transposeB, m, n, k, alpha, a, b, beta, &slow, pool: nil)
            // Float sums of ≤ 700 products of values in [-1, 1]: relative error well under 1e-4.
            #expect(worstCloseness(fast, slow, rtol: 1e-4, atol: 1e-4 * Double(max(k, 1))) <= 1)
        }
    }

    @Test(arguments: [Shape(m: 320, n: 1000, k: 96), Shape(m: 1000, n: 96, k: 320), Shape(m: 64, n: 64, k: 1000)])
    func oneAndTwoThreadsAreBitIdentical(shape: Shape) {
        var random = TestRandom(seed: 42)
        let a = random.floats(shape.m * shape.k), b = random.floats(shape.k * shape.n)
        let twoThreads = ThreadPool(threadCount: 2)
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true)] {
            var single = [Float](repeating: 0, count: shape.m * shape.n), double = single
            run(gemm: true, transposeA, transposeB, shape.m, shape.n, shape.k, 1, a, b, 0, &single, pool: nil)
            run(gemm: true, transposeA, transposeB, shape.m, shape.n, shape.k, 1, a, b, 0, &double, pool: twoThreads)
            #expect(single == double)
        }
    }

    /// With beta = 0, C must not be read: NaN already in C must not reach the result.
    @Test func betaZeroIgnoresGarbageInC() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [1, 0, 0, 1]
        var c = [Float](repeating: .nan, count: 4)
        run(gemm: true, false, false, 2, 2, 2, 1, a, b, 0, &c, pool: nil)
        #expect(c == [1, 2, 3, 4])
    }

    @Test func kernelVariantIsNamed() {
        #expect(["avx2-fma-6x16", "portable-6x16"].contains(gemmMicroKernelName))
    }

    private func run(gemm fast: Bool, _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int,
                     _ alpha: Float, _ a: [Float], _ b: [Float], _ beta: Float, _ c: inout [Float],
                     pool: ThreadPool?) {
        let lda = max(1, transposeA ? m : k), ldb = max(1, transposeB ? k : n), ldc = max(1, n)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    let aBase = ap.baseAddress ?? UnsafePointer(bitPattern: 64)!
                    let bBase = bp.baseAddress ?? UnsafePointer(bitPattern: 64)!
                    let cBase = cp.baseAddress ?? UnsafeMutablePointer(bitPattern: 64)!
                    if fast {
                        gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                             a: aBase, lda: lda, b: bBase, ldb: ldb, beta: beta, c: cBase, ldc: ldc, pool: pool)
                    } else {
                        gemmReference(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                      alpha: alpha, a: aBase, lda: lda, b: bBase, ldb: ldb, beta: beta,
                                      c: cBase, ldc: ldc)
                    }
                }
            }
        }
    }
}
