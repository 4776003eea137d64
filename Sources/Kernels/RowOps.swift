/// Gather and scatter-add of matrix rows: the embedding lookup and its sparse gradient.
package enum RowOps {
    /// out[i, :] = table[ids[i], :] for each i; `table` is `tableRows × width`.
    package static func gatherRows(
        table: UnsafePointer<Float>, tableRows: Int, width: Int,
        ids: UnsafeBufferPointer<Int32>, into out: UnsafeMutablePointer<Float>
    ) {
        for (i, id) in ids.enumerated() {
            precondition(id >= 0 && Int(id) < tableRows, "gatherRows: id \(id) out of 0..<\(tableRows)")
            (out + i * width).update(from: table + Int(id) * width, count: width)
        }
    }

    /// table[ids[i], :] += source[i, :] for each i, in order of i (so repeated ids sum deterministically).
    /// Rows whose id equals `skip` (the padding id) are left out.
    package static func scatterAddRows(
        _ source: UnsafePointer<Float>, ids: UnsafeBufferPointer<Int32>, width: Int,
        into table: UnsafeMutablePointer<Float>, tableRows: Int, skip: Int32? = nil
    ) {
        for (i, id) in ids.enumerated() where id != skip {
            precondition(id >= 0 && Int(id) < tableRows, "scatterAddRows: id \(id) out of 0..<\(tableRows)")
            let destination = table + Int(id) * width
            let row = source + i * width
            for j in 0..<width { destination[j] += row[j] }
        }
    }
}
