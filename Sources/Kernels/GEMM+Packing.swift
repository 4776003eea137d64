import CKernels

/// Packing of `op(A)` and `op(B)` blocks into the panel layout the micro-kernel reads.
///
/// A panel of A holds MR rows: for each k, MR consecutive floats. A panel of B holds NR columns: for each
/// k, NR consecutive floats. Panels past the matrix edge are zero-padded, so the micro-kernel always
/// computes a full tile and only the store is trimmed.
extension GEMMProblem {
    /// Packs `op(A)[rowStart..<rowStart+rows, depthStart..<depthStart+depth]` into MR-row panels.
    func packA(into packed: UnsafeMutablePointer<Float>, rowStart: Int, rows: Int, depthStart: Int, depth: Int) {
        let mr = GEMMBlocking.mr
        var out = packed
        var panel = 0
        while panel < rows {
            let live = min(mr, rows - panel)
            let firstRow = rowStart + panel
            if transposeA && live == mr {
                // A full panel of A stored k × m: MR contiguous values per k (C, gathers on AVX-512).
                murmur_gemm_pack_panel(mr, depth, a + (depthStart &* lda &+ firstRow), 1, lda, out)
                out += depth * mr
            } else if transposeA {
                // A is stored k × m: the MR values of one k are contiguous.
                for p in 0..<depth {
                    let source = a + (depthStart + p) * lda + firstRow
                    for i in 0..<live { out[i] = source[i] }
                    for i in live..<mr { out[i] = 0 }
                    out += mr
                }
            } else if live == mr {
                // A full panel of row-major A: MR row streams read in step (C, gathers on AVX-512; this is
                // most of a thin GEMM's packing time).
                murmur_gemm_pack_panel(mr, depth, a + (firstRow &* lda &+ depthStart), lda, 1, out)
                out += depth * mr
            } else {
                for p in 0..<depth {
                    let source = a + firstRow * lda + depthStart + p
                    for i in 0..<live { out[i] = source[i * lda] }
                    for i in live..<mr { out[i] = 0 }
                    out += mr
                }
            }
            panel += mr
        }
    }

    /// Packs `op(B)[depthStart..<depthStart+depth, columnStart..<columnStart+columns]` into NR-column panels.
    func packB(
        into packed: UnsafeMutablePointer<Float>, depthStart: Int, depth: Int, columnStart: Int, columns: Int
    ) {
        let nr = GEMMBlocking.nr
        var out = packed
        var panel = 0
        while panel < columns {
            let live = min(nr, columns - panel)
            let firstColumn = columnStart + panel
            if transposeB && live == nr {
                // A full panel of B stored n × k: NR column streams read in step, each k's NR values written
                // as one vector (C, one gather a k on AVX-512).
                murmur_gemm_pack_panel(nr, depth, b + (firstColumn &* ldb &+ depthStart), ldb, 1, out)
            } else if transposeB {
                // B is stored n × k: walk each column's contiguous k run, writing with stride NR.
                for j in 0..<live {
                    let source = b + (firstColumn + j) * ldb + depthStart
                    for p in 0..<depth { out[p * nr + j] = source[p] }
                }
                if live < nr {
                    for p in 0..<depth { for j in live..<nr { out[p * nr + j] = 0 } }
                }
            } else {
                // B is stored k × n: each k's NR values are contiguous.
                for p in 0..<depth {
                    let source = b + (depthStart + p) * ldb + firstColumn, row = out + p * nr
                    for j in 0..<live { row[j] = source[j] }
                    for j in live..<nr { row[j] = 0 }
                }
            }
            out += depth * nr
            panel += nr
        }
    }
}
