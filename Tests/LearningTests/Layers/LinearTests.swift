import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct LinearTests {
    /// Weight, bias and input gradients of y = x Wᵀ + b against central differences (h = 1e-2, rtol 2e-2:
    /// a linear layer's loss is linear in each coordinate, so only Float rounding separates them).
    @Test func gradientsMatchFiniteDifferences() {
        var layout = ParameterLayout()
        let layer = Linear(inputs: 7, outputs: 5, weight: layout.add("w", shape: [5, 7]), bias: layout.add("b", shape: [5]))
        var harness = LayerHarness(layout: layout, seed: 1)
        let rows = 3
        var x = harness.random.floats(rows * 7)
        let weights = harness.random.floats(rows * 5)
        var out = [Float](repeating: 0, count: rows * 5), dX = [Float](repeating: 0, count: rows * 7)
        func loss() -> Double {
            harness.parameters.withUnsafeBufferPointer { p in
                x.withUnsafeBufferPointer { xp in
                    out.withUnsafeMutableBufferPointer { o in
                        layer.forward(x: xp.baseAddress!, rows: rows, parameters: p.baseAddress!, out: o.baseAddress!)
                        return LayerHarness.weightedSum(o.baseAddress!, weights)
                    }
                }
            }
        }
        _ = loss()
        harness.parameters.withUnsafeBufferPointer { p in
            harness.gradients.withUnsafeMutableBufferPointer { g in
                layer.backward(x: x, dOut: weights, rows: rows, parameters: p.baseAddress!, gradients: g.baseAddress!,
                               dX: &dX)
            }
        }
        let check = GradientCheck()
        let analytic = harness.gradients.flat.scalars
        let worstParameter = check.worstRatio(analytic: analytic, indices: Array(0..<layout.count),
            value: { harness.parameters[flat: $0] }, setValue: { harness.parameters[flat: $0] = $1 }, loss: loss)
        let worstInput = GradientCheck().worstRatio(analytic: dX, indices: Array(0..<(rows * 7)),
            value: { x[$0] }, setValue: { x[$0] = $1 }, loss: loss)
        #expect(worstParameter <= 1)
        #expect(worstInput <= 1)
    }
}
