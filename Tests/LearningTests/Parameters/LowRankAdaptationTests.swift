import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct LowRankAdaptationTests {
    /// dA and dB, projected from the dense gradient of the effective weights, against finite differences
    /// of the model's loss as a function of the adapters, on every adapted matrix of a tiny LSTM (B is made
    /// non-zero so both projections are exercised).
    @Test func adapterGradientMatchesFiniteDifferences() {
        let model = LSTMLanguageModel(configuration: .init(vocabularySize: 11, embeddingSize: 4, hiddenSize: 5), seed: 9)
        model.parameters.withUnsafeMutableBufferPointer { p in
            for i in 0..<(11 * 4) { p[i] *= 0.3 }
        }
        let base = model.parameters
        let lora = LowRankAdaptation(rank: 2, alpha: 3)
        var layout = ParameterLayout()
        let adapters = lora.addAdapters(for: model.adaptableMatrices, to: &layout)
        var values = [Float](repeating: 0, count: layout.count)
        var stream = RandomStream(seed: 2, keys: [])
        values.withUnsafeMutableBufferPointer { stream.fillUniform($0, low: -0.5, high: 0.5) }
        let batch = TokenBatch(inputs: [2, 5, 7, 9, 2, 6, 10, 0], targets: [5, 7, 9, 3, 6, 10, 3, 0], batch: 2, steps: 4)

        func formWeights() {
            base.withUnsafeBufferPointer { b in
                values.withUnsafeBufferPointer { a in
                    model.parameters.withUnsafeMutableBufferPointer { m in
                        for adapter in adapters {
                            lora.formWeight(adapter, base: b.baseAddress! + adapter.base.offset, adapterValues: a.baseAddress!,
                                            into: m.baseAddress! + adapter.base.offset)
                        }
                    }
                }
            }
        }
        func loss() -> Double {
            formWeights()
            return model.lossAndGradient(batch, pool: nil).mean
        }
        _ = loss()
        var analytic = [Float](repeating: 0, count: layout.count)
        model.gradients.withUnsafeBufferPointer { g in
            values.withUnsafeBufferPointer { a in
                analytic.withUnsafeMutableBufferPointer { out in
                    for adapter in adapters {
                        lora.projectGradient(adapter, weightGradient: g.baseAddress! + adapter.base.offset,
                                             adapterValues: a.baseAddress!, into: out.baseAddress!)
                    }
                }
            }
        }
        let worst = GradientCheck().worstRatio(
            analytic: analytic, indices: Array(0..<layout.count), value: { values[$0] }, setValue: { values[$0] = $1 },
            loss: loss)
        #expect(worst <= 1, "worst ratio \(worst)")
        #expect(layout.count == 2 * (4 + 20) + 2 * (5 + 20) + 2 * (5 + 4))
    }

    /// Fresh adapters leave the model unchanged (B = 0), and forming a weight is base + s·B·A exactly.
    @Test func freshAdaptersAreTheIdentityAndFormingIsBasePlusScaledProduct() {
        let lora = LowRankAdaptation(rank: 1, alpha: 2)
        var layout = ParameterLayout()
        let matrix = layout.add("w", shape: [2, 3])
        let adapters = lora.addAdapters(for: [matrix], to: &layout)
        var values = [Float](repeating: 9, count: layout.count)
        values.withUnsafeMutableBufferPointer { LowRankAdaptation.initialise(adapters, values: $0, seed: 1, keys: []) }
        #expect(values[adapters[0].b.range].allSatisfy { $0 == 0 })
        #expect(values[adapters[0].a.range].allSatisfy { abs($0) <= 1 / Float(3).squareRoot() })
        let base: [Float] = [1, 2, 3, 4, 5, 6]
        values[adapters[0].a.range] = [1, 0, -1]
        values[adapters[0].b.range] = [0.5, 2]
        var weight = [Float](repeating: 0, count: 6)
        base.withUnsafeBufferPointer { b in
            values.withUnsafeBufferPointer { v in
                weight.withUnsafeMutableBufferPointer {
                    lora.formWeight(adapters[0], base: b.baseAddress!, adapterValues: v.baseAddress!, into: $0.baseAddress!)
                }
            }
        }
        // s = 2: W + 2·[0.5, 2]ᵀ[1, 0, −1] = W + [[1, 0, −1], [4, 0, −4]].
        #expect(weight == [2, 2, 2, 8, 5, 2])
    }
}
