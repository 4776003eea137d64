import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct AttentionDecoderTests {
    /// The decoder's weights (embedding, causal self-attention, cross-attention, FFN, norms, output) and
    /// the encoder memory's gradient against central differences, with the memory's padding masked: a
    /// padded memory row gets exactly zero gradient and changing it changes nothing.
    @Test func gradientsMatchFiniteDifferencesWithMemoryPadding() {
        let (batch, steps, memorySteps, width, classes) = (2, 3, 4, 6, 5)
        let memoryLengths = [4, 2]
        var layout = ParameterLayout()
        let decoder = AttentionDecoder(adding: &layout, prefix: "d", classes: classes, width: width, heads: 2,
                                       feedForwardWidth: 8, layers: 2)
        var harness = LayerHarness(layout: layout, seed: 9, scale: 0.5)
        for entry in layout.entries where entry.name.hasSuffix("gamma") {
            for i in entry.range { harness.parameters[flat: i] += 1 }
        }
        var memory = harness.random.floats(batch * memorySteps * width)
        let ids: [Int32] = [0, 3, 1, 0, 4, 0]
        let weights = harness.random.floats(batch * steps * classes)
        let plan = decoder.plan(batch: batch, steps: steps, memorySteps: memorySteps, slots: 1)
        let workspace = AlignedBuffer(count: plan.count)
        func loss() -> Double {
            harness.parameters.withUnsafeBufferPointer { p in
                ids.withUnsafeBufferPointer { ids in
                    let logits = decoder.forward(ids: ids, batch: batch, steps: steps, memory: memory, memorySteps: memorySteps,
                                                 memoryLengths: memoryLengths, parameters: p.baseAddress!, plan: plan,
                                                 workspace: workspace.pointer)
                    return LayerHarness.weightedSum(logits, weights)
                }
            }
        }
        let reference = loss()
        // The gradient of Σ logits ⊙ R is R: write it where backward reads the logits' gradient.
        var dMemory = [Float](repeating: 0, count: memory.count)
        harness.parameters.withUnsafeBufferPointer { p in
            ids.withUnsafeBufferPointer { idBuffer in
                let out = decoder.forward(ids: idBuffer, batch: batch, steps: steps, memory: memory, memorySteps: memorySteps,
                                          memoryLengths: memoryLengths, parameters: p.baseAddress!, plan: plan, workspace: workspace.pointer)
                out.update(from: weights, count: weights.count)
                harness.gradients.withUnsafeMutableBufferPointer { g in
                    decoder.backward(ids: idBuffer, batch: batch, steps: steps, memory: memory, memorySteps: memorySteps,
                                     memoryLengths: memoryLengths, parameters: p.baseAddress!, gradients: g.baseAddress!,
                                     dMemory: &dMemory, plan: plan, workspace: workspace.pointer)
                }
            }
        }
        let paddedRows = [(1, 2), (1, 3)].map { $0.0 * memorySteps + $0.1 }
        for r in paddedRows {
            #expect(dMemory[(r * width)..<((r + 1) * width)].allSatisfy { $0 == 0 })
            for j in 0..<width { memory[r * width + j] = 50 }
        }
        #expect(loss() == reference)
        let check = GradientCheck()
        let worstParameter = check.worstRatio(analytic: harness.gradients.flat.scalars,
            indices: LayerHarness.sampleIndices(layout.count, limit: 300),
            value: { harness.parameters[flat: $0] }, setValue: { harness.parameters[flat: $0] = $1 }, loss: loss)
        let worstMemory = check.worstRatio(analytic: dMemory, indices: Array(0..<memory.count),
            value: { memory[$0] }, setValue: { memory[$0] = $1 }, loss: loss)
        #expect(worstParameter <= 1)
        #expect(worstMemory <= 1)
    }
}
