import Kernels

/// An affine map `y = x Wᵀ + b` with W stored `[outputs, inputs]` (PyTorch's `nn.Linear` layout).
package struct Linear: Sendable {
    package let inputs: Int
    package let outputs: Int
    package let weight: ParameterLayout.Entry
    package let bias: ParameterLayout.Entry?

    package init(inputs: Int, outputs: Int, weight: ParameterLayout.Entry, bias: ParameterLayout.Entry?) {
        precondition(weight.shape == [outputs, inputs], "Linear: weight \(weight.shape) is not [\(outputs), \(inputs)]")
        precondition(bias == nil || bias!.count == outputs, "Linear: bias size")
        self.inputs = inputs
        self.outputs = outputs
        self.weight = weight
        self.bias = bias
    }

    // x: [rows, inputs], out: [rows, outputs]
    package func forward(x: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
                         out: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) {
        gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: inputs, alpha: 1,
             a: x, lda: inputs, b: parameters + weight.offset, ldb: inputs, beta: 0, c: out, ldc: outputs, pool: pool)
        if let bias { Elementwise.addRowBias(parameters + bias.offset, to: out, rows: rows, columns: outputs) }
    }

    // x: [rows, inputs], dOut: [rows, outputs]; dW += dOutᵀ x, db += Σ rows dOut, dX = dOut W (overwritten)
    package func backward(x: UnsafePointer<Float>, dOut: UnsafePointer<Float>, rows: Int,
                          parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
                          dX: UnsafeMutablePointer<Float>?, pool: ThreadPool? = nil) {
        gemm(transposeA: true, transposeB: false, m: outputs, n: inputs, k: rows, alpha: 1,
             a: dOut, lda: outputs, b: x, ldb: inputs, beta: 1, c: gradients + weight.offset, ldc: inputs, pool: pool)
        if let bias {
            Elementwise.accumulateColumnSums(dOut, rows: rows, columns: outputs, into: gradients + bias.offset)
        }
        if let dX {
            gemm(transposeA: false, transposeB: false, m: rows, n: inputs, k: outputs, alpha: 1,
                 a: dOut, lda: outputs, b: parameters + weight.offset, ldb: inputs, beta: 0, c: dX, ldc: inputs,
                 pool: pool)
        }
    }
}
