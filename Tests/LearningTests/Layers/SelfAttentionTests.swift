import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct SelfAttentionTests {
    /// A 6-wide, 2-head layer on 3 sequences of 5 frames with 5, 3 and 1 valid frames.
    final class Setup {
        let layer: SelfAttention
        var harness: LayerHarness
        let batch = 3, steps = 5, width = 6, lengths = [5, 3, 1]
        let store: AlignedBuffer, scratch: AlignedBuffer

        init(slots: Int = 1) {
            var layout = ParameterLayout()
            layer = SelfAttention.add(to: &layout, prefix: "a", width: width, heads: 2)
            harness = LayerHarness(layout: layout, seed: 11, scale: 0.6)
            store = AlignedBuffer(count: SelfAttention.Buffers.count(batch: batch, steps: steps, width: width, heads: 2))
            scratch = AlignedBuffer(count: SelfAttention.scratchCount(batch: batch, steps: steps, width: width, slots: slots))
        }

        var buffers: SelfAttention.Buffers { .init(base: store.pointer, batch: batch, steps: steps, width: width) }

        func forward(_ x: [Float], pool: ThreadPool? = nil) -> [Float] {
            var out = [Float](repeating: .nan, count: x.count)
            harness.parameters.withUnsafeBufferPointer { p in
                layer.forward(x: x, batch: batch, steps: steps, lengths: lengths, parameters: p.baseAddress!, buffers: buffers,
                              out: &out, scratch: scratch.pointer, pool: pool)
            }
            return out
        }

        func isPadded(row: Int) -> Bool { row % steps >= lengths[row / steps] }
    }

    /// Every weight and input gradient against central differences, with a padding mask in play; padded
    /// rows' outputs are exactly 0 and padded inputs get exactly zero gradient.
    @Test func gradientsMatchFiniteDifferencesWithPadding() {
        let s = Setup()
        let rows = s.batch * s.steps
        var x = s.harness.random.floats(rows * s.width)
        let weights = s.harness.random.floats(rows * s.width)
        func loss() -> Double { LayerHarness.weightedSum(s.forward(x), weights) }
        let out = s.forward(x)
        for r in 0..<rows where s.isPadded(row: r) {
            #expect(out[(r * s.width)..<((r + 1) * s.width)].allSatisfy { $0 == 0 }, "padded row \(r) is not 0")
        }
        var dX = [Float](repeating: .nan, count: x.count)
        s.harness.parameters.withUnsafeBufferPointer { p in
            s.harness.gradients.withUnsafeMutableBufferPointer { g in
                s.layer.backward(x: x, dOut: weights, batch: s.batch, steps: s.steps, lengths: s.lengths, parameters: p.baseAddress!,
                                 buffers: s.buffers, gradients: g.baseAddress!, scratch: s.scratch.pointer, dX: &dX)
            }
        }
        for r in 0..<rows where s.isPadded(row: r) {
            #expect(dX[(r * s.width)..<((r + 1) * s.width)].allSatisfy { $0 == 0 }, "padded row \(r) has a gradient")
        }
        let count = s.harness.parameters.layout.count
        let worstParameter = GradientCheck().worstRatio(analytic: s.harness.gradients.flat.scalars, indices: Array(0..<count),
            value: { s.harness.parameters[flat: $0] }, setValue: { s.harness.parameters[flat: $0] = $1 }, loss: loss)
        let worstInput = GradientCheck().worstRatio(analytic: dX, indices: Array(0..<x.count),
            value: { x[$0] }, setValue: { x[$0] = $1 }, loss: loss)
        #expect(worstParameter <= 1)
        #expect(worstInput <= 1)
    }

    /// Valid rows do not depend on what the padding holds, and attention is not causal (the first frame
    /// sees the last valid one).
    @Test func validRowsIgnorePaddingButSeeTheFuture() {
        let s = Setup()
        let x = s.harness.random.floats(s.batch * s.steps * s.width)
        let reference = s.forward(x)
        var garbage = x
        for r in 0..<(s.batch * s.steps) where s.isPadded(row: r) {
            for j in 0..<s.width { garbage[r * s.width + j] = 100 + Float(j) }
        }
        #expect(s.forward(garbage) == reference)
        var future = x
        future[4 * s.width] += 1  // sequence 0, its last frame
        #expect(Array(s.forward(future)[0..<s.width]) != Array(reference[0..<s.width]))
    }

    /// Two threads split the (sequence, head) pairs and give bit-identical outputs.
    @Test func twoThreadsAreBitIdentical() {
        let s = Setup(slots: 2)
        let x = s.harness.random.floats(s.batch * s.steps * s.width)
        #expect(s.forward(x, pool: ThreadPool(threadCount: 2)) == s.forward(x))
    }
}
