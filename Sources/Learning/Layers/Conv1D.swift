import Kernels

/// A 1-D convolution over time with a stride and no padding ("valid"): output frame t sees input frames
/// t·stride … t·stride + kernel − 1, all channels, and is `W · patch + b`. W is stored
/// `[outputs, kernel, inputs]`, so a patch of `kernel` consecutive frames of a `[frames, inputs]`
/// sequence is one contiguous run of kernel·inputs values and the layer is one GEMM on patches
/// (im2col; Chellapilla, Puri & Simard 2006). The speech front end's subsampling is two of these with
/// kernel 7, stride 3 (a 9× shorter sequence for the encoder).
///
/// Frames: ⌊(frames − kernel)/stride⌋ + 1 out, none if the input is shorter than the kernel.
package struct Conv1D: Sendable {
    package let inputs: Int
    package let outputs: Int
    package let kernel: Int
    package let stride: Int
    package let weight: ParameterLayout.Entry
    package let bias: ParameterLayout.Entry?

    package init(inputs: Int, outputs: Int, kernel: Int, stride: Int, weight: ParameterLayout.Entry,
                 bias: ParameterLayout.Entry?) {
        precondition(kernel > 0 && stride > 0, "Conv1D: kernel \(kernel), stride \(stride)")
        precondition(weight.shape == [outputs, kernel, inputs],
                     "Conv1D: weight \(weight.shape) is not [\(outputs), \(kernel), \(inputs)]")
        precondition(bias == nil || bias!.count == outputs, "Conv1D: bias size")
        self.inputs = inputs
        self.outputs = outputs
        self.kernel = kernel
        self.stride = stride
        self.weight = weight
        self.bias = bias
    }

    /// Output frames for an input of `frames`.
    package func outputFrames(_ frames: Int) -> Int {
        frames < kernel ? 0 : (frames - kernel) / stride + 1
    }

    /// Values of one patch: kernel · inputs.
    package var patchWidth: Int { kernel * inputs }

    /// Multiply-adds of a forward pass over `batch` sequences of `frames` (backward is twice this).
    package func forwardFLOPs(batch: Int, frames: Int) -> Double {
        Double(batch * outputFrames(frames)) * Double(patchWidth * outputs)
    }

    // x: [batch, frames, inputs] → out: [batch, outputFrames, outputs];
    // patches: [batch, outputFrames, kernel · inputs], written here and kept for backward
    package func forward(x: UnsafePointer<Float>, batch: Int, frames: Int, parameters: UnsafePointer<Float>,
                         out: UnsafeMutablePointer<Float>, patches: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) {
        let outFrames = outputFrames(frames), width = patchWidth, rows = batch * outFrames
        guard rows > 0 else { return }
        for b in 0..<batch {
            let sequence = x + b &* frames &* inputs
            for t in 0..<outFrames {
                (patches + (b &* outFrames &+ t) &* width).update(from: sequence + t &* stride &* inputs, count: width)
            }
        }
        gemm(transposeA: false, transposeB: true, m: rows, n: outputs, k: width, alpha: 1,
             a: patches, lda: width, b: parameters + weight.offset, ldb: width, beta: 0, c: out, ldc: outputs, pool: pool)
        if let bias { Elementwise.addRowBias(parameters + bias.offset, to: out, rows: rows, columns: outputs) }
    }

    // patches: from forward, dOut: [batch, outputFrames, outputs]; dW += dOutᵀ patches, db += Σ dOut;
    // dX: [batch, frames, inputs], overwritten (frames no patch covers get 0); scratch: like patches
    package func backward(patches: UnsafePointer<Float>, dOut: UnsafePointer<Float>, batch: Int, frames: Int,
                          parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
                          dX: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) {
        let outFrames = outputFrames(frames), width = patchWidth, rows = batch * outFrames
        dX?.update(repeating: 0, count: batch * frames * inputs)
        guard rows > 0 else { return }
        gemm(transposeA: true, transposeB: false, m: outputs, n: width, k: rows, alpha: 1,
             a: dOut, lda: outputs, b: patches, ldb: width, beta: 1, c: gradients + weight.offset, ldc: width, pool: pool)
        if let bias { Elementwise.accumulateColumnSums(dOut, rows: rows, columns: outputs, into: gradients + bias.offset) }
        guard let dX else { return }
        // dPatches = dOut W, then each patch's gradient is added back where the patch was read (col2im).
        gemm(transposeA: false, transposeB: false, m: rows, n: width, k: outputs, alpha: 1,
             a: dOut, lda: outputs, b: parameters + weight.offset, ldb: width, beta: 0, c: scratch, ldc: width, pool: pool)
        for b in 0..<batch {
            let sequence = dX + b &* frames &* inputs
            for t in 0..<outFrames {
                let source = scratch + (b &* outFrames &+ t) &* width, target = sequence + t &* stride &* inputs
                for j in 0..<width { target[j] += source[j] }
            }
        }
    }
}
