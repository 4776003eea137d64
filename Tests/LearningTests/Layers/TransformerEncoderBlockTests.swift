import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct TransformerEncoderBlockTests {
    /// One block's weights and input against central differences, pre- and post-LN, with padding and
    /// with residual dropout (its masks redrawn identically for every evaluation from the same key).
    @Test(arguments: [(NormPlacement.preNorm, Float(0)), (.postNorm, 0), (.preNorm, 0.3), (.postNorm, 0.3)])
    func gradientsMatchFiniteDifferences(placement: NormPlacement, dropoutRate: Float) {
        let (batch, steps, width, lengths) = (2, 4, 6, [4, 2])
        var layout = ParameterLayout()
        let block = TransformerEncoderBlock(adding: &layout, prefix: "b", width: width, heads: 2, feedForwardWidth: 10,
                                            placement: placement, dropoutRate: dropoutRate)
        var harness = LayerHarness(layout: layout, seed: 5, scale: 0.5)
        // Norm gains near 1 as in a real model (the harness draws them in ±0.5).
        for entry in layout.entries where entry.name.hasSuffix("gamma") {
            for i in entry.range { harness.parameters[flat: i] += 1 }
        }
        let rows = batch * steps
        var x = harness.random.floats(rows * width)
        let weights = harness.random.floats(rows * width)
        let saved = AlignedBuffer(count: block.savedCount(batch: batch, steps: steps))
        let scratch = AlignedBuffer(count: block.scratchCount(batch: batch, steps: steps, slots: 1))
        var out = [Float](repeating: 0, count: rows * width)
        func loss() -> Double {
            var stream: RandomStream? = RandomStream(seed: 3, keys: [1])
            harness.parameters.withUnsafeBufferPointer { p in
                block.forward(x: x, batch: batch, steps: steps, lengths: lengths, parameters: p.baseAddress!, saved: saved.pointer,
                              out: &out, scratch: scratch.pointer, dropout: &stream)
            }
            // Padded rows of a block's output are not masked by the block itself; the loss reads valid rows only.
            var total = 0.0
            for r in 0..<rows where r % steps < lengths[r / steps] {
                for j in 0..<width { total += Double(out[r * width + j]) * Double(weights[r * width + j]) }
            }
            return total
        }
        _ = loss()
        var dOut = weights
        for r in 0..<rows where r % steps >= lengths[r / steps] { for j in 0..<width { dOut[r * width + j] = 0 } }
        var dX = [Float](repeating: .nan, count: x.count)
        harness.parameters.withUnsafeBufferPointer { p in
            harness.gradients.withUnsafeMutableBufferPointer { g in
                block.backward(x: x, dOut: dOut, batch: batch, steps: steps, lengths: lengths, parameters: p.baseAddress!,
                               saved: saved.pointer, gradients: g.baseAddress!, scratch: scratch.pointer, dX: &dX)
            }
        }
        let check = GradientCheck()
        let worstParameter = check.worstRatio(analytic: harness.gradients.flat.scalars,
            indices: LayerHarness.sampleIndices(layout.count, limit: 250),
            value: { harness.parameters[flat: $0] }, setValue: { harness.parameters[flat: $0] = $1 }, loss: loss)
        let worstInput = check.worstRatio(analytic: dX, indices: Array(0..<x.count),
            value: { x[$0] }, setValue: { x[$0] = $1 }, loss: loss)
        #expect(worstParameter <= 1)
        #expect(worstInput <= 1)
    }
}
