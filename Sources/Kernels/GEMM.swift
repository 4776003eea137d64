import CKernels

#if canImport(Glibc)
import Glibc
#endif

/// Single-precision general matrix multiply, `C = alpha * op(A) * op(B) + beta * C`, row-major.
///
/// `op(A)` is `m × k` (A stored `m × k`, or `k × m` when `transposeA`), `op(B)` is `k × n` (B stored
/// `k × n`, or `n × k` when `transposeB`), C is `m × n`; `lda`, `ldb`, `ldc` are row strides in floats.
/// The algorithm is the BLIS five-loop scheme (van Zee & van de Geijn 2015): blocks of `op(B)` and `op(A)`
/// are packed into contiguous panels that fit the caches, and a register-tiled micro-kernel (C, see
/// `CKernels.h`; 12×32 on AVX-512, 6×16 otherwise) sweeps them. Packing absorbs the transposes, so all
/// four combinations share one kernel. A B that is not transposed and meets few rows of A is read in
/// place instead of packed: the kernel reads its rows with a stride, and packing it would cost as much
/// as the product (a client's GEMMs have tens of rows against a 10000 × 96 embedding).
///
/// With a pool, C is split into disjoint column (or row) strips, one per thread, each computed by the
/// same serial algorithm; every element of C is summed in the same order whatever the thread count, so
/// results are bit-identical on 1 and 2 threads. When `beta == 0`, C is not read. Packing buffers are
/// per thread and allocated once.
package func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
    pool: ThreadPool? = nil, kernel: GEMMKernel = .chosen
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative dimension")
    precondition(lda >= max(1, transposeA ? m : k), "gemm: lda too small")
    precondition(ldb >= max(1, transposeB ? k : n), "gemm: ldb too small")
    precondition(ldc >= max(1, n), "gemm: ldc too small")
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
        scaleMatrix(c, rows: m, columns: n, ldc: ldc, beta: beta)
        return
    }
    let problem = GEMMProblem(
        transposeA: transposeA, transposeB: transposeB, k: k, alpha: alpha,
        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, kernel: kernel, prepackedB: nil)
    problem.run(m: m, n: n, pool: pool)
}

/// `gemm` with `op(B)` already packed whole by `gemmPackB`: for a weight that many products read in one
/// step (the LSTM's recurrent weight, once per time step), so it is packed once rather than every call.
package func gemm(
    transposeA: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    packedB: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
    pool: ThreadPool? = nil, kernel: GEMMKernel = .chosen
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative dimension")
    precondition(lda >= max(1, transposeA ? m : k), "gemm: lda too small")
    precondition(ldc >= max(1, n), "gemm: ldc too small")
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
        scaleMatrix(c, rows: m, columns: n, ldc: ldc, beta: beta)
        return
    }
    let problem = GEMMProblem(
        transposeA: transposeA, transposeB: false, k: k, alpha: alpha,
        a: a, lda: lda, b: packedB, ldb: n, beta: beta, c: c, ldc: ldc, kernel: kernel, prepackedB: packedB)
    problem.run(m: m, n: n, pool: pool)
}

/// Floats `gemmPackB` writes for a `k × n` op(B): whole NR-column panels, zero-padded.
package func gemmPackedBCount(k: Int, n: Int) -> Int {
    (n + GEMMBlocking.nr - 1) / GEMMBlocking.nr * GEMMBlocking.nr * k
}

/// Packs the `k × n` op(B) (B stored `k × n`, or `n × k` when `transposeB`) into NR-column panels of
/// full depth, panel after panel, for `gemm(…, packedB:)`; `packed` holds `gemmPackedBCount(k:n:)` floats.
package func gemmPackB(transposeB: Bool, k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int,
                       into packed: UnsafeMutablePointer<Float>) {
    precondition(ldb >= max(1, transposeB ? k : n), "gemmPackB: ldb too small")
    let problem = GEMMProblem(
        transposeA: false, transposeB: transposeB, k: k, alpha: 1, a: b, lda: 1, b: b, ldb: ldb,
        beta: 0, c: packed, ldc: 1, kernel: .chosen, prepackedB: nil)
    problem.packB(into: packed, depthStart: 0, depth: k, columnStart: 0, columns: n)
}

extension GEMMProblem {
    /// Computes all of C, split into strips over `pool`'s threads when the product is large enough.
    func run(m: Int, n: Int, pool: ThreadPool?) {
        let flops = 2 * m * n * k
        guard let pool, pool.threadCount > 1, flops >= GEMMBlocking.parallelThresholdFLOPs else {
            compute(rows: 0..<m, columns: 0..<n)
            return
        }
        // Split the longer side of C into strips of whole register tiles.
        let columnTiles = (n + GEMMBlocking.nr - 1) / GEMMBlocking.nr
        let rowTiles = (m + GEMMBlocking.mr - 1) / GEMMBlocking.mr
        if columnTiles >= rowTiles {
            pool.parallelFor(count: columnTiles) { tiles, _ in
                let columns = (tiles.lowerBound * GEMMBlocking.nr)..<min(n, tiles.upperBound * GEMMBlocking.nr)
                compute(rows: 0..<m, columns: columns)
            }
        } else {
            pool.parallelFor(count: rowTiles) { tiles, _ in
                let rows = (tiles.lowerBound * GEMMBlocking.mr)..<min(m, tiles.upperBound * GEMMBlocking.mr)
                compute(rows: rows, columns: 0..<n)
            }
        }
    }
}

/// The name of the GEMM micro-kernel this process runs (chosen from the CPU's features at start-up).
package var gemmMicroKernelName: String { GEMMKernel.chosen.name }

/// One micro-kernel variant of `CKernels`: the portable one, AVX2/FMA 6×16 or AVX-512 12×32.
///
/// `chosen` is the best one the CPU supports (what every caller gets by default); `supported` lists all
/// the CPU can run, so tests check each variant, not only the chosen one. The FMA variants give
/// bit-identical results to each other.
package struct GEMMKernel: Sendable, Equatable, CustomStringConvertible {
    package let index: Int32
    package var name: String { String(cString: murmur_gemm_variant_name(index)) }
    package var tileRows: Int { Int(murmur_gemm_variant_tile_rows(index)) }
    package var tileColumns: Int { Int(murmur_gemm_variant_tile_columns(index)) }
    package var description: String { name }

    package static let chosen = GEMMKernel(index: murmur_gemm_chosen_variant())
    package static var supported: [GEMMKernel] {
        (0..<Int32(MURMUR_GEMM_VARIANTS)).filter { murmur_gemm_variant_supported($0) != 0 }.map { GEMMKernel(index: $0) }
    }
}

/// Cache blocking for the packed GEMM, chosen for a Zen 3 / Haswell-class core (32–48 KiB L1d, 512 KiB+
/// L2, shared L3): a 256 × 16 B micro-panel (16 KiB) stays in L1, a 144 × 256 A block (144 KiB) in L2,
/// a 256 × 3072 B block (3 MiB) in L3.
package enum GEMMBlocking {
    package static let mr = Int(MURMUR_GEMM_MR)
    package static let nr = Int(MURMUR_GEMM_NR)
    package static let kc = 256
    /// A depth up to this stays one block: splitting K = 320 into 256 + 64 wastes a pass on a thin block.
    package static let kcMax = 384
    package static let mc = 144
    package static let nc = 3072
    /// A strip with fewer rows than this reads a non-transposed B in place rather than packing it.
    package static let directBRowLimit = 384
    /// …and only when B's row stride is at most this many floats (2 KiB).
    package static let directBMaxStride = 512
    /// Below this many FLOPs a product runs on one thread: waking a worker costs more than it saves.
    package static let parallelThresholdFLOPs = 4_000_000
}

/// One GEMM call's operands, so that strips of C can be computed independently.
struct GEMMProblem {
    let transposeA: Bool, transposeB: Bool, k: Int, alpha: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    let kernel: GEMMKernel
    /// op(B) packed whole by `gemmPackB` (then `b` is the same pointer), or nil to read or pack `b`.
    let prepackedB: UnsafePointer<Float>?

    /// Computes `C[rows, columns]` on the calling thread with its own packing buffers.
    func compute(rows: Range<Int>, columns: Range<Int>) {
        let buffers = PackingBuffers.forCurrentThread()
        let packedA = buffers.a.pointer, packedB = buffers.b.pointer
        let nr = GEMMBlocking.nr
        let variant = kernel.index
        // In place only where B's rows are close together: at a stride of a page or more, each k of a
        // tile would touch another page (TLB misses) and the same L1 sets.
        let directB = !transposeB && rows.count < GEMMBlocking.directBRowLimit && ldb <= GEMMBlocking.directBMaxStride
        var j0 = columns.lowerBound
        while j0 < columns.upperBound {
            let ncHere = min(GEMMBlocking.nc, columns.upperBound - j0)
            var p0 = 0
            while p0 < k {
                let kcHere = k - p0 <= GEMMBlocking.kcMax ? k - p0 : GEMMBlocking.kc
                let betaHere = p0 == 0 ? beta : 1
                // B's rows k, 16 columns a panel: packed panels (row stride NR) or B itself (row stride ldb).
                let bBlock: UnsafePointer<Float>, bRowStride: Int, bPanelStride: Int
                if let prepackedB {
                    (bBlock, bRowStride, bPanelStride) = (prepackedB + (j0 * k + p0 * nr), nr, nr * k)
                } else if directB {
                    (bBlock, bRowStride, bPanelStride) = (b + (p0 * ldb + j0), ldb, nr)
                } else {
                    packB(into: packedB, depthStart: p0, depth: kcHere, columnStart: j0, columns: ncHere)
                    (bBlock, bRowStride, bPanelStride) = (UnsafePointer(packedB), nr, nr * kcHere)
                }
                var i0 = rows.lowerBound
                while i0 < rows.upperBound {
                    let mcHere = min(GEMMBlocking.mc, rows.upperBound - i0)
                    packA(into: packedA, rowStart: i0, rows: mcHere, depthStart: p0, depth: kcHere)
                    murmur_gemm_block(variant, mcHere, ncHere, kcHere, packedA, bBlock, bRowStride, bPanelStride,
                                      c + i0 * ldc + j0, ldc, alpha, betaHere)
                    i0 += mcHere
                }
                p0 += kcHere
            }
            j0 += ncHere
        }
    }
}

/// Two aligned packing buffers owned by one thread, found through a pthread key and freed at thread exit.
final class PackingBuffers {
    let a = AlignedBuffer(count: (GEMMBlocking.mc + GEMMBlocking.mr) * GEMMBlocking.kcMax)
    let b = AlignedBuffer(count: (GEMMBlocking.nc + GEMMBlocking.nr) * GEMMBlocking.kcMax)

    static func forCurrentThread() -> PackingBuffers {
        if let existing = pthread_getspecific(packingBuffersKey) {
            return Unmanaged<PackingBuffers>.fromOpaque(existing).takeUnretainedValue()
        }
        let buffers = PackingBuffers()
        pthread_setspecific(packingBuffersKey, Unmanaged.passRetained(buffers).toOpaque())
        return buffers
    }
}

private let packingBuffersKey: pthread_key_t = {
    var key = pthread_key_t()
    let status = pthread_key_create(&key) { pointer in
        if let pointer { Unmanaged<PackingBuffers>.fromOpaque(pointer).release() }
    }
    precondition(status == 0, "pthread_key_create failed (\(status))")
    return key
}()

/// C = beta * C over an m × n block (C is not read when beta is 0).
private func scaleMatrix(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ldc: Int, beta: Float) {
    for i in 0..<rows {
        let row = c + i * ldc
        if beta == 0 {
            row.update(repeating: 0, count: columns)
        } else if beta != 1 {
            for j in 0..<columns { row[j] *= beta }
        }
    }
}
