import CKernels

#if canImport(Glibc)
import Glibc
#endif

/// Single-precision general matrix multiply, `C = alpha * op(A) * op(B) + beta * C`, row-major.
///
/// `op(A)` is `m × k` (A stored `m × k`, or `k × m` when `transposeA`), `op(B)` is `k × n` (B stored
/// `k × n`, or `n × k` when `transposeB`), C is `m × n`; `lda`, `ldb`, `ldc` are row strides in floats.
/// The algorithm is the BLIS five-loop scheme (van Zee & van de Geijn 2015): blocks of `op(B)` and `op(A)`
/// are packed into contiguous panels that fit the caches, and a 6×16 register-tiled micro-kernel (C, see
/// `CKernels.h`) sweeps them. Packing absorbs the transposes, so all four combinations share one kernel.
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
    pool: ThreadPool? = nil
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
        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    let flops = 2 * m * n * k
    guard let pool, pool.threadCount > 1, flops >= GEMMBlocking.parallelThresholdFLOPs else {
        problem.compute(rows: 0..<m, columns: 0..<n)
        return
    }
    // Split the longer side of C into strips of whole register tiles.
    let columnTiles = (n + GEMMBlocking.nr - 1) / GEMMBlocking.nr
    let rowTiles = (m + GEMMBlocking.mr - 1) / GEMMBlocking.mr
    if columnTiles >= rowTiles {
        pool.parallelFor(count: columnTiles) { tiles, _ in
            let columns = (tiles.lowerBound * GEMMBlocking.nr)..<min(n, tiles.upperBound * GEMMBlocking.nr)
            problem.compute(rows: 0..<m, columns: columns)
        }
    } else {
        pool.parallelFor(count: rowTiles) { tiles, _ in
            let rows = (tiles.lowerBound * GEMMBlocking.mr)..<min(m, tiles.upperBound * GEMMBlocking.mr)
            problem.compute(rows: rows, columns: 0..<n)
        }
    }
}

/// The name of the GEMM micro-kernel this process runs (chosen from the CPU's features at start-up).
package var gemmMicroKernelName: String { String(cString: murmur_gemm_micro_kernel_name()) }

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
    /// Below this many FLOPs a product runs on one thread: waking a worker costs more than it saves.
    package static let parallelThresholdFLOPs = 4_000_000
}

/// One GEMM call's operands, so that strips of C can be computed independently.
struct GEMMProblem {
    let transposeA: Bool, transposeB: Bool, k: Int, alpha: Float
    let a: UnsafePointer<Float>, lda: Int
    let b: UnsafePointer<Float>, ldb: Int
    let beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int

    /// Computes `C[rows, columns]` on the calling thread with its own packing buffers.
    func compute(rows: Range<Int>, columns: Range<Int>) {
        let buffers = PackingBuffers.forCurrentThread()
        let packedA = buffers.a.pointer, packedB = buffers.b.pointer
        let mr = GEMMBlocking.mr, nr = GEMMBlocking.nr
        var j0 = columns.lowerBound
        while j0 < columns.upperBound {
            let ncHere = min(GEMMBlocking.nc, columns.upperBound - j0)
            var p0 = 0
            while p0 < k {
                let kcHere = k - p0 <= GEMMBlocking.kcMax ? k - p0 : GEMMBlocking.kc
                let betaHere = p0 == 0 ? beta : 1
                packB(into: packedB, depthStart: p0, depth: kcHere, columnStart: j0, columns: ncHere)
                var i0 = rows.lowerBound
                while i0 < rows.upperBound {
                    let mcHere = min(GEMMBlocking.mc, rows.upperBound - i0)
                    packA(into: packedA, rowStart: i0, rows: mcHere, depthStart: p0, depth: kcHere)
                    var jr = 0
                    while jr < ncHere {
                        let nrHere = min(nr, ncHere - jr)
                        var ir = 0
                        while ir < mcHere {
                            murmur_gemm_micro_kernel(
                                kcHere, packedA + ir * kcHere, packedB + jr * kcHere,
                                c + (i0 + ir) * ldc + j0 + jr, ldc,
                                min(mr, mcHere - ir), nrHere, alpha, betaHere)
                            ir += mr
                        }
                        jr += nr
                    }
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
