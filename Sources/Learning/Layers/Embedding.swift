import Kernels

/// A lookup table of `rows × width` vectors: `out[i] = W[ids[i]]`.
///
/// The gradient is sparse: backward scatter-adds into only the rows the batch touched (the padding row
/// never receives one, as PyTorch's `padding_idx`), which is what makes partial embedding updates cheap.
package struct Embedding: Sendable {
    package let rows: Int
    package let width: Int
    package let weight: ParameterLayout.Entry
    package let paddingID: Int32?

    package init(rows: Int, width: Int, weight: ParameterLayout.Entry, paddingID: Int32?) {
        precondition(weight.count == rows * width, "Embedding: weight \(weight.shape) is not [\(rows), \(width)]")
        self.rows = rows
        self.width = width
        self.weight = weight
        self.paddingID = paddingID
    }

    // ids: [N], out: [N, width]
    package func forward(ids: UnsafeBufferPointer<Int32>, parameters: UnsafePointer<Float>,
                         out: UnsafeMutablePointer<Float>) {
        RowOps.gatherRows(table: parameters + weight.offset, tableRows: rows, width: width, ids: ids, into: out)
    }

    // ids: [N], dOut: [N, width]; dW[ids[i]] += dOut[i] (padding skipped)
    package func backward(ids: UnsafeBufferPointer<Int32>, dOut: UnsafePointer<Float>,
                          gradients: UnsafeMutablePointer<Float>) {
        RowOps.scatterAddRows(dOut, ids: ids, width: width, into: gradients + weight.offset, tableRows: rows,
                              skip: paddingID)
    }
}
