import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct Conv1DTests {
    static func layer(inputs: Int, outputs: Int, kernel: Int, stride: Int) -> (Conv1D, ParameterLayout) {
        var layout = ParameterLayout()
        let conv = Conv1D(inputs: inputs, outputs: outputs, kernel: kernel, stride: stride,
                          weight: layout.add("w", shape: [outputs, kernel, inputs]), bias: layout.add("b", shape: [outputs]))
        return (conv, layout)
    }

    /// The obviously correct convolution: out[b, t, o] = b_o + Σ_k Σ_i W[o, k, i] x[b, t·s + k, i].
    static func reference(_ conv: Conv1D, x: [Float], batch: Int, frames: Int, parameters: [Float]) -> [Float] {
        let outFrames = conv.outputFrames(frames)
        var out = [Float](repeating: 0, count: batch * outFrames * conv.outputs)
        for b in 0..<batch {
            for t in 0..<outFrames {
                for o in 0..<conv.outputs {
                    var sum = Double(parameters[conv.bias!.offset + o])
                    for k in 0..<conv.kernel {
                        for i in 0..<conv.inputs {
                            let w = parameters[conv.weight.offset + (o * conv.kernel + k) * conv.inputs + i]
                            sum += Double(w) * Double(x[(b * frames + t * conv.stride + k) * conv.inputs + i])
                        }
                    }
                    out[(b * outFrames + t) * conv.outputs + o] = Float(sum)
                }
            }
        }
        return out
    }

    @Test(arguments: [(6, 7, 3, 0), (7, 7, 3, 1), (9, 7, 3, 1), (10, 7, 3, 2), (100, 7, 3, 32), (5, 1, 1, 5), (8, 3, 2, 3)])
    func outputFramesFollowTheFormula(frames: Int, kernel: Int, stride: Int, expected: Int) {
        let (conv, _) = Self.layer(inputs: 1, outputs: 1, kernel: kernel, stride: stride)
        #expect(conv.outputFrames(frames) == expected)
    }

    /// The im2col + GEMM forward against the direct sum, at the front end's shape (80 mel channels,
    /// kernel 7, stride 3) and at awkward ones.
    @Test(arguments: [(80, 16, 7, 3, 100, 2), (3, 5, 2, 1, 9, 3), (4, 17, 5, 5, 24, 1), (2, 3, 4, 2, 3, 2)])
    func forwardMatchesTheDirectSum(inputs: Int, outputs: Int, kernel: Int, stride: Int, frames: Int, batch: Int) {
        let (conv, layout) = Self.layer(inputs: inputs, outputs: outputs, kernel: kernel, stride: stride)
        var random = TestRandom(seed: UInt64(inputs * 31 + frames))
        let parameters = random.floats(layout.count, -0.3, 0.3), x = random.floats(batch * frames * inputs)
        let outFrames = conv.outputFrames(frames)
        var out = [Float](repeating: .nan, count: batch * outFrames * outputs)
        var patches = [Float](repeating: 0, count: max(1, batch * outFrames * conv.patchWidth))
        conv.forward(x: x, batch: batch, frames: frames, parameters: parameters, out: &out, patches: &patches)
        let expected = Self.reference(conv, x: x, batch: batch, frames: frames, parameters: parameters)
        #expect(worstCloseness(out, expected, rtol: 1e-5, atol: 1e-5) <= 1)
    }

    /// Weight, bias and input gradients against central differences (h = 1e-2, rtol 2e-2: the loss is
    /// linear in each coordinate, so only Float rounding separates them), with a stride that leaves the
    /// last input frame outside every patch (its gradient must be exactly 0) and one that overlaps patches.
    @Test(arguments: [(3, 4, 3, 2, 8, 2), (2, 3, 4, 1, 6, 1), (2, 2, 2, 3, 9, 2)])
    func gradientsMatchFiniteDifferences(inputs: Int, outputs: Int, kernel: Int, stride: Int, frames: Int, batch: Int) {
        let (conv, layout) = Self.layer(inputs: inputs, outputs: outputs, kernel: kernel, stride: stride)
        var harness = LayerHarness(layout: layout, seed: UInt64(kernel * 10 + stride))
        var x = harness.random.floats(batch * frames * inputs)
        let outFrames = conv.outputFrames(frames)
        let weights = harness.random.floats(batch * outFrames * outputs)
        var out = [Float](repeating: 0, count: weights.count)
        var patches = [Float](repeating: 0, count: batch * outFrames * conv.patchWidth), scratch = patches
        var dX = [Float](repeating: .nan, count: x.count)
        func loss() -> Double {
            harness.parameters.withUnsafeBufferPointer { p in
                conv.forward(x: x, batch: batch, frames: frames, parameters: p.baseAddress!, out: &out, patches: &patches)
            }
            return LayerHarness.weightedSum(out, weights)
        }
        _ = loss()
        harness.parameters.withUnsafeBufferPointer { p in
            harness.gradients.withUnsafeMutableBufferPointer { g in
                conv.backward(patches: patches, dOut: weights, batch: batch, frames: frames, parameters: p.baseAddress!,
                              gradients: g.baseAddress!, dX: &dX, scratch: &scratch)
            }
        }
        let check = GradientCheck()
        let worstParameter = check.worstRatio(analytic: harness.gradients.flat.scalars, indices: Array(0..<layout.count),
            value: { harness.parameters[flat: $0] }, setValue: { harness.parameters[flat: $0] = $1 }, loss: loss)
        let worstInput = check.worstRatio(analytic: dX, indices: Array(0..<x.count),
            value: { x[$0] }, setValue: { x[$0] = $1 }, loss: loss)
        #expect(worstParameter <= 1)
        #expect(worstInput <= 1)
        let lastCovered = (outFrames - 1) * stride + kernel - 1
        for b in 0..<batch {
            for frame in (lastCovered + 1)..<frames { for i in 0..<inputs { #expect(dX[(b * frames + frame) * inputs + i] == 0) } }
        }
    }
}
