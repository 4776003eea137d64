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
            if transposeA && live == 6 && mr == 6 {
                // A full panel of A stored k × m: six contiguous values per k, copied without lane checks.
                var source = a + (depthStart &* lda &+ firstRow)
                for _ in 0..<depth {
                    out[0] = source[0]; out[1] = source[1]; out[2] = source[2]
                    out[3] = source[3]; out[4] = source[4]; out[5] = source[5]
                    out += 6
                    source += lda
                }
            } else if transposeA {
                // A is stored k × m: the MR values of one k are contiguous.
                for p in 0..<depth {
                    let source = a + (depthStart + p) * lda + firstRow
                    for i in 0..<live { out[i] = source[i] }
                    for i in live..<mr { out[i] = 0 }
                    out += mr
                }
            } else if live == 6 && mr == 6 {
                // A full panel of row-major A: six row streams read in step, unrolled so the copy has no
                // per-element bounds or lane checks (this loop is most of a thin GEMM's packing time).
                let r0 = a + (firstRow &* lda &+ depthStart)
                let r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda
                for p in 0..<depth {
                    out[0] = r0[p]; out[1] = r1[p]; out[2] = r2[p]
                    out[3] = r3[p]; out[4] = r4[p]; out[5] = r5[p]
                    out += 6
                }
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
            if transposeB && live == 16 && nr == 16 {
                // A full panel of B stored n × k: sixteen column streams read in step, each k's sixteen
                // values written as one contiguous vector (no strided stores).
                let first = b + (firstColumn &* ldb &+ depthStart)
                let raw = UnsafeMutableRawPointer(out)
                for p in 0..<depth {
                    var values = SIMD16<Float>()
                    var source = first + p
                    for j in 0..<16 {
                        values[j] = source.pointee
                        source += ldb
                    }
                    raw.storeBytes(of: values, toByteOffset: p &* 64, as: SIMD16<Float>.self)
                }
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
