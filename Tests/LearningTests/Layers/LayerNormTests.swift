import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct LayerNormTests {
    /// γ, β and input gradients against central differences (h = 1e-2; inputs spread over [−2, 2] so the
    /// variance is O(1) and the normalisation is smooth at that step).
    @Test func gradientsMatchFiniteDifferences() {
        var layout = ParameterLayout()
        let layer = LayerNorm(width: 6, gamma: layout.add("g", shape: [6]), beta: layout.add("b", shape: [6]))
        var harness = LayerHarness(layout: layout, seed: 6, scale: 1.5)
        let rows = 3
        var x = harness.random.floats(rows * 6, -2, 2)
        let weights = harness.random.floats(rows * 6)
        var out = [Float](repeating: 0, count: rows * 6), mean = [Float](repeating: 0, count: rows)
        var rstd = mean, dX = out
        func loss() -> Double {
            harness.parameters.withUnsafeBufferPointer { p in
                layer.forward(x: x, rows: rows, parameters: p.baseAddress!, out: &out, mean: &mean, rstd: &rstd)
            }
            return LayerHarness.weightedSum(out, weights)
        }
        _ = loss()
        harness.parameters.withUnsafeBufferPointer { p in
            harness.gradients.withUnsafeMutableBufferPointer { g in
                layer.backward(x: x, dOut: weights, rows: rows, mean: mean, rstd: rstd, parameters: p.baseAddress!,
                               gradients: g.baseAddress!, dX: &dX)
            }
        }
        let analytic = harness.gradients.flat.scalars
        let worstParameter = GradientCheck().worstRatio(analytic: analytic, indices: Array(0..<12),
            value: { harness.parameters[flat: $0] }, setValue: { harness.parameters[flat: $0] = $1 }, loss: loss)
        let worstInput = GradientCheck().worstRatio(analytic: dX, indices: Array(0..<x.count),
            value: { x[$0] }, setValue: { x[$0] = $1 }, loss: loss)
        #expect(worstParameter <= 1)
        #expect(worstInput <= 1)
    }
}
