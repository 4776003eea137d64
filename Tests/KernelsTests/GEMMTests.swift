import Kernels
import MurmurTestSupport
import Testing

/// The packed GEMM against the naive reference, in every transpose, with every micro-kernel variant this
/// CPU can run, on shapes that straddle the 6×16 and 12×32 register tiles, the cache blocks and the
/// in-place-B row limit; bit-identical on 1 and 2 threads and between the FMA variants.
@Suite struct GEMMTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        let m: Int, n: Int, k: Int
        var testDescription: String { "\(m)x\(k)x\(n)" }
    }

    static let shapes = [
        Shape(m: 1, n: 1, k: 1), Shape(m: 0, n: 5, k: 3), Shape(m: 5, n: 0, k: 3), Shape(m: 4, n: 5, k: 0),
        Shape(m: 6, n: 16, k: 15), Shape(m: 7, n: 17, k: 16), Shape(m: 15, n: 33, k: 17),
        Shape(m: 145, n: 31, k: 300), Shape(m: 13, n: 3100, k: 5), Shape(m: 50, n: 40, k: 700),
        Shape(m: 11, n: 47, k: 9), Shape(m: 25, n: 96, k: 400), Shape(m: 400, n: 35, k: 20),
    ]

    @Test(arguments: shapes, [(false, false), (true, false), (false, true), (true, true)])
    func matchesReference(shape: Shape, transposes: (Bool, Bool)) {
        let (transposeA, transposeB) = transposes
        let (m, n, k) = (shape.m, shape.n, shape.k)
        var random = TestRandom(seed: UInt64(m * 1_000_003 + n * 1009 + k))
        let a = random.floats(m * k), b = random.floats(k * n), c0 = random.floats(m * n)
        for (alpha, beta) in [(Float(1), Float(0)), (0.5, 1), (-2, 0.25)] {
            var slow = c0
            run(gemm: false, transposeA, transposeB, m, n, k, alpha, a, b, beta, &slow, pool: nil)
            var fused: [Float]?
            for kernel in GEMMKernel.supported {
                var fast = c0
                run(gemm: true, transposeA, transposeB, m, n, k, alpha, a, b, beta, &fast, pool: nil, kernel: kernel)
                // Float sums of ≤ 700 products of values in [-1, 1]: relative error well under 1e-4.
                #expect(worstCloseness(fast, slow, rtol: 1e-4, atol: 1e-4 * Double(max(k, 1))) <= 1, "\(kernel)")
                // The FMA variants sum in the same order with the same fused steps: the same bits.
                guard kernel.name != "portable-6x16" else { continue }
                if let fused { #expect(fast == fused, "\(kernel)") } else { fused = fast }
            }
        }
    }

    /// op(B) packed once by `gemmPackB` and read by `gemm(…, packedB:)` gives the bits of the plain call.
    @Test(arguments: [Shape(m: 7, n: 33, k: 17), Shape(m: 16, n: 1024, k: 256), Shape(m: 13, n: 40, k: 700)])
    func prepackedBMatchesPlainCall(shape: Shape) {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        var random = TestRandom(seed: UInt64(m * 31 + n * 7 + k))
        let a = random.floats(m * k), b = random.floats(k * n), c0 = random.floats(m * n)
        for transposeB in [false, true] {
            var packed = [Float](repeating: .nan, count: gemmPackedBCount(k: k, n: n))
            b.withUnsafeBufferPointer { bp in
                packed.withUnsafeMutableBufferPointer { pp in
                    gemmPackB(transposeB: transposeB, k: k, n: n, b: bp.baseAddress!, ldb: transposeB ? k : n,
                              into: pp.baseAddress!)
                }
            }
            for kernel in GEMMKernel.supported {
                var plain = c0, prepacked = c0
                run(gemm: true, false, transposeB, m, n, k, 1, a, b, 1, &plain, pool: nil, kernel: kernel)
                a.withUnsafeBufferPointer { ap in
                    packed.withUnsafeBufferPointer { pp in
                        prepacked.withUnsafeMutableBufferPointer { cp in
                            gemm(transposeA: false, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress!, lda: k,
                                 packedB: pp.baseAddress!, beta: 1, c: cp.baseAddress!, ldc: n, kernel: kernel)
                        }
                    }
                }
                #expect(prepacked == plain, "\(kernel) transposeB \(transposeB)")
            }
        }
    }

    @Test func everyVariantTheCPUAdvertisesIsRun() {
        let names = GEMMKernel.supported.map(\.name)
        #expect(names.first == "portable-6x16")
        #expect(names.contains(GEMMKernel.chosen.name))
        #expect(GEMMKernel.chosen == GEMMKernel.supported.last)
    }

    @Test(arguments: [Shape(m: 320, n: 1000, k: 96), Shape(m: 1000, n: 96, k: 320), Shape(m: 64, n: 64, k: 1000)])
    func oneAndTwoThreadsAreBitIdentical(shape: Shape) {
        var random = TestRandom(seed: 42)
        let a = random.floats(shape.m * shape.k), b = random.floats(shape.k * shape.n)
        let twoThreads = ThreadPool(threadCount: 2)
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true)] {
            var single = [Float](repeating: 0, count: shape.m * shape.n), double = single
            for kernel in GEMMKernel.supported {
                run(gemm: true, transposeA, transposeB, shape.m, shape.n, shape.k, 1, a, b, 0, &single, pool: nil,
                    kernel: kernel)
                run(gemm: true, transposeA, transposeB, shape.m, shape.n, shape.k, 1, a, b, 0, &double,
                    pool: twoThreads, kernel: kernel)
                #expect(single == double, "\(kernel)")
            }
        }
    }

    /// With beta = 0, C must not be read: NaN already in C must not reach the result.
    @Test func betaZeroIgnoresGarbageInC() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [1, 0, 0, 1]
        for kernel in GEMMKernel.supported {
            var c = [Float](repeating: .nan, count: 4)
            run(gemm: true, false, false, 2, 2, 2, 1, a, b, 0, &c, pool: nil, kernel: kernel)
            #expect(c == [1, 2, 3, 4], "\(kernel)")
        }
    }

    @Test func kernelVariantIsNamed() {
        #expect(["avx512f-12x32", "avx2-fma-6x16", "portable-6x16"].contains(gemmMicroKernelName))
    }

    private func run(gemm fast: Bool, _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int,
                     _ alpha: Float, _ a: [Float], _ b: [Float], _ beta: Float, _ c: inout [Float],
                     pool: ThreadPool?, kernel: GEMMKernel = .chosen) {
        let lda = max(1, transposeA ? m : k), ldb = max(1, transposeB ? k : n), ldc = max(1, n)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    let aBase = ap.baseAddress ?? UnsafePointer(bitPattern: 64)!
                    let bBase = bp.baseAddress ?? UnsafePointer(bitPattern: 64)!
                    let cBase = cp.baseAddress ?? UnsafeMutablePointer(bitPattern: 64)!
                    if fast {
                        gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                             a: aBase, lda: lda, b: bBase, ldb: ldb, beta: beta, c: cBase, ldc: ldc, pool: pool,
                             kernel: kernel)
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
