import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct CausalSelfAttentionTests {
    /// All projection weights and the input against central differences on 2 sequences of 4 steps, 2 heads.
    @Test func gradientsMatchFiniteDifferences() {
        let (width, heads, batch, steps) = (6, 2, 2, 4)
        var layout = ParameterLayout()
        let qkv = Linear(inputs: width, outputs: 3 * width, weight: layout.add("qkv.w", shape: [3 * width, width]),
                         bias: layout.add("qkv.b", shape: [3 * width]))
        let output = Linear(inputs: width, outputs: width, weight: layout.add("out.w", shape: [width, width]),
                            bias: layout.add("out.b", shape: [width]))
        let layer = CausalSelfAttention(width: width, heads: heads, qkv: qkv, output: output)
        var harness = LayerHarness(layout: layout, seed: 7, scale: 0.6)
        let rows = batch * steps
        var x = harness.random.floats(rows * width)
        let weights = harness.random.floats(rows * width)
        let store = AlignedBuffer(count: CausalSelfAttention.Buffers.count(batch: batch, steps: steps, width: width, heads: heads))
        let buffers = CausalSelfAttention.Buffers(qkv: store.pointer, probabilities: store.pointer + rows * 3 * width,
                                                  mixed: store.pointer + rows * 3 * width + batch * heads * steps * steps)
        let scratch = AlignedBuffer(count: CausalSelfAttention.scratchCount(batch: batch, steps: steps, width: width))
        var out = [Float](repeating: 0, count: rows * width), dX = out
        func loss() -> Double {
            harness.parameters.withUnsafeBufferPointer { p in
                layer.forward(x: x, batch: batch, steps: steps, parameters: p.baseAddress!, buffers: buffers, out: &out)
            }
            return LayerHarness.weightedSum(out, weights)
        }
        _ = loss()
        // Causality: the first step's output must not depend on later steps.
        let firstOutput = Array(out[0..<width])
        x[3 * width] += 1
        _ = loss()
        #expect(Array(out[0..<width]) == firstOutput)
        x[3 * width] -= 1
        _ = loss()
        harness.parameters.withUnsafeBufferPointer { p in
            harness.gradients.withUnsafeMutableBufferPointer { g in
                layer.backward(x: x, dOut: weights, batch: batch, steps: steps, parameters: p.baseAddress!, buffers: buffers,
                               gradients: g.baseAddress!, scratch: scratch.pointer, dX: &dX)
            }
        }
        let analytic = harness.gradients.flat.scalars
        let worstParameter = GradientCheck().worstRatio(analytic: analytic, indices: LayerHarness.sampleIndices(layout.count, limit: 150),
            value: { harness.parameters[flat: $0] }, setValue: { harness.parameters[flat: $0] = $1 }, loss: loss)
        let worstInput = GradientCheck().worstRatio(analytic: dX, indices: Array(0..<x.count),
            value: { x[$0] }, setValue: { x[$0] = $1 }, loss: loss)
        #expect(worstParameter <= 1)
        #expect(worstInput <= 1)
    }
}
