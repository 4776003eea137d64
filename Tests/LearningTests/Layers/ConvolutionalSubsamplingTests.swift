import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct ConvolutionalSubsamplingTests {
    @Test func layoutAndFramesFollowTheLayers() {
        var layout = ParameterLayout()
        let stack = ConvolutionalSubsampling.add(to: &layout, prefix: "front", inputs: 80, width: 16, kernels: [7, 7], strides: [3, 3])
        #expect(layout.count == 16 * 7 * 80 + 16 + 16 * 7 * 16 + 16)
        #expect(stack.outputs == 16)
        #expect(stack.outputFrames(100) == 9)  // 100 → 32 → 9
        #expect(stack.layers[0].outputFrames(100) == 32)
        #expect(stack.outputFrames(12) == 0)  // 12 → 2, shorter than the second kernel
    }

    /// Every parameter's and input's gradient through two strided convolutions and their GELUs against
    /// central differences (h = 1e-2 on inputs in [−1, 1] and weights in [−0.5, 0.5]: GELU's curvature
    /// is O(1), so the O(h²) error is ~1e-4 relative, inside rtol 2e-2).
    @Test func gradientsMatchFiniteDifferences() {
        var layout = ParameterLayout()
        let stack = ConvolutionalSubsampling.add(to: &layout, prefix: "f", inputs: 3, width: 4, kernels: [3, 2], strides: [2, 1])
        var harness = LayerHarness(layout: layout, seed: 17)
        let batch = 2, frames = 11, outFrames = stack.outputFrames(frames)
        #expect(outFrames == 4)
        var x = harness.random.floats(batch * frames * 3)
        let weights = harness.random.floats(batch * outFrames * 4)
        let plan = ConvolutionalSubsampling.Workspace(stack, batch: batch, frames: frames)
        var workspace = [Float](repeating: .nan, count: plan.count), scratch = [Float](repeating: .nan, count: plan.scratchCount)
        var dX = [Float](repeating: .nan, count: x.count)
        func loss() -> Double {
            harness.parameters.withUnsafeBufferPointer { p in
                workspace.withUnsafeMutableBufferPointer { w in
                    let out = stack.forward(x: x, batch: batch, frames: frames, parameters: p.baseAddress!, workspace: w.baseAddress!)
                    return LayerHarness.weightedSum(out, weights)
                }
            }
        }
        _ = loss()
        harness.parameters.withUnsafeBufferPointer { p in
            harness.gradients.withUnsafeMutableBufferPointer { g in
                stack.backward(dOut: weights, batch: batch, frames: frames, parameters: p.baseAddress!, gradients: g.baseAddress!,
                               dX: &dX, workspace: &workspace, scratch: &scratch)
            }
        }
        let check = GradientCheck()
        let worstParameter = check.worstRatio(analytic: harness.gradients.flat.scalars, indices: Array(0..<layout.count),
            value: { harness.parameters[flat: $0] }, setValue: { harness.parameters[flat: $0] = $1 }, loss: loss)
        let worstInput = check.worstRatio(analytic: dX, indices: Array(0..<x.count),
            value: { x[$0] }, setValue: { x[$0] = $1 }, loss: loss)
        #expect(worstParameter <= 1)
        #expect(worstInput <= 1)
    }
}
