import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct EmbeddingTests {
    /// The scatter-add gradient equals finite differences, repeated ids sum, and the padding row gets none.
    @Test func gradientsMatchFiniteDifferencesAndSkipPadding() {
        var layout = ParameterLayout()
        let layer = Embedding(rows: 6, width: 4, weight: layout.add("e", shape: [6, 4]), paddingID: 0)
        var harness = LayerHarness(layout: layout, seed: 2)
        let ids: [Int32] = [3, 0, 5, 3, 1]
        let weights = harness.random.floats(ids.count * 4)
        var out = [Float](repeating: 0, count: ids.count * 4)
        func loss() -> Double {
            harness.parameters.withUnsafeBufferPointer { p in
                ids.withUnsafeBufferPointer { i in
                    out.withUnsafeMutableBufferPointer { o in
                        layer.forward(ids: i, parameters: p.baseAddress!, out: o.baseAddress!)
                        return LayerHarness.weightedSum(o.baseAddress!, weights)
                    }
                }
            }
        }
        ids.withUnsafeBufferPointer { i in
            harness.gradients.withUnsafeMutableBufferPointer { g in
                layer.backward(ids: i, dOut: weights, gradients: g.baseAddress!)
            }
        }
        let analytic = harness.gradients.flat.scalars
        #expect(analytic[0..<4].allSatisfy { $0 == 0 })  // padding row: no gradient
        #expect(analytic[8..<12].allSatisfy { $0 == 0 })  // row 2 untouched
        // Rows 1, 3, 5 (the padding row's numeric derivative is not zero, so it is checked above instead).
        let indices = [1, 3, 5].flatMap { row in (row * 4)..<(row * 4 + 4) }
        let worst = GradientCheck().worstRatio(analytic: analytic, indices: indices,
            value: { harness.parameters[flat: $0] }, setValue: { harness.parameters[flat: $0] = $1 }, loss: loss)
        #expect(worst <= 1)
    }
}
