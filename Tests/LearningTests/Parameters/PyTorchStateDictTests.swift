import Foundation
import Kernels
import Learning
import Testing

@Suite struct PyTorchStateDictTests {
    static let lstm = LSTMLanguageModel(configuration: .init(vocabularySize: 13, embeddingSize: 4, hiddenSize: 5), seed: 3).parameters
    static let lstmTwoBiases = LSTMLanguageModel(configuration: .init(vocabularySize: 13, embeddingSize: 4, hiddenSize: 5,
                                                                      lstmBiases: 2), seed: 3).parameters
    static let transformer = TransformerLanguageModel(configuration: .init(vocabularySize: 11, width: 8, heads: 2, layers: 2,
                                                                           maxSteps: 6), seed: 4).parameters

    /// pfl-research's LMLSTM state_dict (../shared/peer/pfl_lm.py's docstring): names, order and shapes.
    @Test func lstmExportIsTheLMLSTMStateDict() {
        let model = Self.lstm
        let tensors = PyTorchStateDict.export(model.flat.scalars, layout: model.layout, family: .lstm)
        #expect(tensors.map(\.name) == ["_embeddings.weight", "_lstm.weight_ih_l0", "_lstm.weight_hh_l0", "_lstm.bias_ih_l0",
                                        "_lstm.bias_hh_l0", "_intermediate.weight", "_intermediate.bias"])
        #expect(tensors.map(\.shape) == [[13, 4], [20, 4], [20, 5], [20], [20], [4, 5], [4]])
        #expect(tensors[3].values == model["lstm.bias"].scalars)
        #expect(tensors[4].values.allSatisfy { $0 == 0 })
        #expect(tensors[1].values == model["lstm.inputWeight"].scalars)
    }

    /// With two LSTM biases each is its own tensor: bias_ih_l0 and bias_hh_l0 hold them as they are, in
    /// LMLSTM's order, and an import loads each into its own tensor (no sum).
    @Test func lstmWithTwoBiasesExportsAndImportsBoth() throws {
        let model = Self.lstmTwoBiases
        var tensors = PyTorchStateDict.export(model.flat.scalars, layout: model.layout, family: .lstm)
        #expect(tensors.map(\.name) == ["_embeddings.weight", "_lstm.weight_ih_l0", "_lstm.weight_hh_l0", "_lstm.bias_ih_l0",
                                        "_lstm.bias_hh_l0", "_intermediate.weight", "_intermediate.bias"])
        #expect(tensors.map(\.shape) == [[13, 4], [20, 4], [20, 5], [20], [20], [4, 5], [4]])
        #expect(tensors[3].values == model["lstm.bias"].scalars)
        #expect(tensors[4].values == model["lstm.recurrentBias"].scalars)
        #expect(tensors[4].values.contains { $0 != 0 })
        tensors[3].values = [Float](repeating: 0.25, count: 20)
        tensors[4].values = (0..<20).map { Float($0) }
        let weights = try PyTorchStateDict.modelWeights(from: SafeTensors(tensors: tensors), layout: model.layout,
                                                        family: .lstm, fileName: "f")
        #expect(Array(weights[model.layout.entry(named: "lstm.bias")!.range]) == [Float](repeating: 0.25, count: 20))
        #expect(Array(weights[model.layout.entry(named: "lstm.recurrentBias")!.range]) == (0..<20).map { Float($0) })
    }

    @Test func transformerExportUsesNanoGPTNames() {
        let model = Self.transformer
        let names = PyTorchStateDict.export(model.flat.scalars, layout: model.layout,
                                            family: .transformer).map(\.name)
        let block = ["ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
                     "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
                     "mlp.c_proj.weight", "mlp.c_proj.bias"]
        #expect(Set(names) == Set(["transformer.wte.weight", "transformer.wpe.weight", "transformer.ln_f.weight",
                                   "transformer.ln_f.bias", "lm_head.weight"]
                                  + (0..<2).flatMap { l in block.map { "transformer.h.\(l).\($0)" } }))
        #expect(names.count == 5 + 2 * block.count)
    }

    /// Every model family: export → safetensors bytes → import gives the same weights, bit for bit.
    @Test(arguments: ["lstm", "lstm with two biases", "transformer"]) func roundTripsThroughTheFile(_ model: String) throws {
        let parameters = ["lstm": Self.lstm, "lstm with two biases": Self.lstmTwoBiases][model] ?? Self.transformer
        let detected = try #require(PyTorchStateDict.Family(layout: parameters.layout))
        #expect(model.hasPrefix(detected.rawValue))
        let file = SafeTensors(tensors: PyTorchStateDict.export(parameters.flat.scalars, layout: parameters.layout,
                                                                family: detected))
        let read = try SafeTensors.decode(file.encoded(), file: "m.safetensors")
        let weights = try PyTorchStateDict.modelWeights(from: read, layout: parameters.layout, family: detected,
                                                        fileName: "m.safetensors")
        #expect(weights.map(\.bitPattern) == parameters.flat.scalars.map(\.bitPattern))
    }

    /// PyTorch trains both LSTM biases; Murmur's single bias is their sum.
    @Test func lstmImportSumsTheTwoBiases() throws {
        let layout = Self.lstm.layout
        var tensors = PyTorchStateDict.export(Self.lstm.flat.scalars, layout: layout, family: .lstm)
        tensors[3].values = [Float](repeating: 0.25, count: 20)
        tensors[4].values = (0..<20).map { Float($0) }
        let weights = try PyTorchStateDict.modelWeights(from: SafeTensors(tensors: tensors), layout: layout, family: .lstm,
                                                        fileName: "f")
        let bias = layout.entry(named: "lstm.bias")!
        #expect(Array(weights[bias.range]) == (0..<20).map { Float($0) + 0.25 })
    }

    /// Every problem on a line of its own: a missing tensor, a wrong shape, an unexpected one.
    @Test func mismatchesAreListedOnePerLine() {
        let layout = Self.lstm.layout
        var tensors = PyTorchStateDict.export(Self.lstm.flat.scalars, layout: layout, family: .lstm)
        tensors.remove(at: 6)  // _intermediate.bias
        tensors[0] = .init(name: "_embeddings.weight", shape: [4, 13], values: tensors[0].values)
        tensors.append(.init(name: "_decoder.weight", shape: [2], values: [1, 2]))
        #expect(throws: PyTorchImportError.mismatch(file: "f", family: "lstm", problems: [
            "_embeddings.weight: shape [4, 13] in the file, [13, 4] in this model",
            "missing tensor _intermediate.bias [4]",
            "unexpected tensor _decoder.weight [2]",
        ])) {
            try PyTorchStateDict.modelWeights(from: SafeTensors(tensors: tensors), layout: layout, family: .lstm, fileName: "f")
        }
        let error = PyTorchImportError.mismatch(file: "f", family: "lstm", problems: ["a", "b"])
        #expect(error.description == "f does not fit this lstm model (names as in docs/formats.md):\n  a\n  b")
    }

    @Test func tiedHeadMustEqualTheEmbedding() {
        let parameters = Self.transformer
        var tensors = PyTorchStateDict.export(parameters.flat.scalars, layout: parameters.layout, family: .transformer)
        tensors[tensors.count - 1].values[0] += 1
        #expect(throws: PyTorchImportError.self) {
            try PyTorchStateDict.modelWeights(from: SafeTensors(tensors: tensors), layout: parameters.layout,
                                              family: .transformer, fileName: "f")
        }
    }
}
