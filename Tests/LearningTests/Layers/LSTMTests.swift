import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct LSTMTests {
    /// Backprop through time against central differences for every weight, bias and input, on 4 steps of
    /// a batch of 3 (h = 1e-2, rtol 2e-2, atol 1e-3: the loss is smooth, and sigmoids/tanh keep the
    /// third derivative O(1), so truncation stays near 1e-4). With two biases (torch.nn.LSTM's b_ih and
    /// b_hh) every element of both is checked, and the two gradients are the same bits.
    @Test(arguments: [false, true]) func gradientsMatchFiniteDifferences(twoBiases: Bool) {
        let (input, hidden, steps, batch) = (3, 5, 4, 3)
        var layout = ParameterLayout()
        let inputWeight = layout.add("wih", shape: [4 * hidden, input])
        let recurrentWeight = layout.add("whh", shape: [4 * hidden, hidden])
        let bias = layout.add("b", shape: [4 * hidden])
        let recurrentBias = twoBiases ? layout.add("bhh", shape: [4 * hidden]) : nil
        let layer = LSTM(inputSize: input, hiddenSize: hidden, inputWeight: inputWeight,
                         recurrentWeight: recurrentWeight, bias: bias, recurrentBias: recurrentBias)
        var harness = LayerHarness(layout: layout, seed: 3, scale: 0.8)
        var x = harness.random.floats(steps * batch * input)
        let weights = harness.random.floats(steps * batch * hidden)
        let activations = LSTM.Activations(capacity: steps * batch, batch: batch, hiddenSize: hidden)
        var h = [Float](repeating: 0, count: steps * batch * hidden)
        var dX = [Float](repeating: 0, count: x.count)
        func loss() -> Double {
            harness.parameters.withUnsafeBufferPointer { p in
                x.withUnsafeBufferPointer { xp in
                    h.withUnsafeMutableBufferPointer { hp in
                        layer.forward(x: xp.baseAddress!, steps: steps, batch: batch, parameters: p.baseAddress!,
                                      activations: activations, h: hp.baseAddress!)
                        return LayerHarness.weightedSum(hp.baseAddress!, weights)
                    }
                }
            }
        }
        _ = loss()
        harness.parameters.withUnsafeBufferPointer { p in
            harness.gradients.withUnsafeMutableBufferPointer { g in
                layer.backward(x: x, h: h, dH: weights, steps: steps, batch: batch, parameters: p.baseAddress!,
                               activations: activations, gradients: g.baseAddress!, dX: &dX)
            }
        }
        let analytic = harness.gradients.flat.scalars
        let check = GradientCheck()
        if let recurrentBias {
            #expect(Array(analytic[recurrentBias.range]).map(\.bitPattern) == Array(analytic[bias.range]).map(\.bitPattern))
        }
        let worstParameter = check.worstRatio(analytic: analytic, indices: LayerHarness.sampleIndices(layout.count, limit: 220),
            value: { harness.parameters[flat: $0] }, setValue: { harness.parameters[flat: $0] = $1 }, loss: loss)
        let worstInput = GradientCheck().worstRatio(analytic: dX, indices: Array(0..<x.count),
            value: { x[$0] }, setValue: { x[$0] = $1 }, loss: loss)
        #expect(worstParameter <= 1)
        #expect(worstInput <= 1)
    }
}
