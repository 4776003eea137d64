import Foundation

/// Murmur's model tensors under the names and layouts of a PyTorch `state_dict`, per model family, so an
/// exported model loads with `module.load_state_dict(safetensors.torch.load_file(path))` and a model trained
/// in PyTorch can seed a run (docs/formats.md lists every name).
///
/// - LSTM LM: exactly pfl-research's `LMLSTM` (`benchmarks/model/pytorch/lstm.py`): `_embeddings.weight`,
///   `_lstm.weight_ih_l0`, `_lstm.weight_hh_l0`, `_lstm.bias_ih_l0`, `_lstm.bias_hh_l0`,
///   `_intermediate.weight`, `_intermediate.bias`. The gate order (i, f, g, o) and [out, in] layouts are
///   `torch.nn.LSTM`'s and Murmur's alike, so values are copied as they are. A model with two gate biases
///   (`model.lstmBiases` 2: `lstm.bias`, `lstm.recurrentBias`) writes and reads them as `bias_ih_l0` and
///   `bias_hh_l0`; a model with one writes it as `bias_ih_l0` with `bias_hh_l0` zero, and reads back their sum
///   (the LSTM only ever adds them).
/// - Transformer LM: nanoGPT's `GPT` (Karpathy, `model.py`, `nn.Linear` weights [out, in]):
///   `transformer.wte/wpe.weight`, `transformer.h.L.{ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc,
///   mlp.c_proj}.{weight, bias}`, `transformer.ln_f.{weight, bias}`, and `lm_head.weight` (tied: a copy of
///   `wte`; on import it must equal it, if present).
/// - Speech (the ASR encoder being added): its family goes here with its own names.
package enum PyTorchStateDict {
    /// The model families with a PyTorch naming.
    package enum Family: String, Sendable {
        case lstm, transformer
        // case speech — the ASR encoder's naming is to be added beside the other two.

        /// The family of a model layout, recognised by its tensors' names.
        package init?(layout: ParameterLayout) {
            if layout.entry(named: "lstm.bias") != nil {
                self = .lstm
            } else if layout.entry(named: "token.weight") != nil && layout.entry(named: "position.weight") != nil {
                self = .transformer
            } else {
                return nil
            }
        }
    }

    /// How one Murmur tensor appears in the state dict.
    enum Mapping: Equatable {
        /// Under another name, same shape and values.
        case renamed(String)
        /// As the sum of two tensors: written to the first with the second zero, read as their sum.
        case summed(String, String)
    }

    /// The state-dict name(s) of Murmur's tensor `name` in `family`, for a model of `layout` (whose LSTM
    /// has one gate bias, summed, or two, each under its own name).
    static func mapping(of name: String, family: Family, in layout: ParameterLayout) -> Mapping {
        switch family {
        case .lstm:
            switch name {
            case "embedding.weight": return .renamed("_embeddings.weight")
            case "lstm.inputWeight": return .renamed("_lstm.weight_ih_l0")
            case "lstm.recurrentWeight": return .renamed("_lstm.weight_hh_l0")
            case "lstm.bias":
                return layout.entry(named: "lstm.recurrentBias") != nil
                    ? .renamed("_lstm.bias_ih_l0") : .summed("_lstm.bias_ih_l0", "_lstm.bias_hh_l0")
            case "lstm.recurrentBias": return .renamed("_lstm.bias_hh_l0")
            case "projection.weight": return .renamed("_intermediate.weight")
            case "projection.bias": return .renamed("_intermediate.bias")
            default: return .renamed(name)
            }
        case .transformer:
            switch name {
            case "token.weight": return .renamed("transformer.wte.weight")
            case "position.weight": return .renamed("transformer.wpe.weight")
            case "final.gamma": return .renamed("transformer.ln_f.weight")
            case "final.beta": return .renamed("transformer.ln_f.bias")
            default: break
            }
            var parts = name.split(separator: ".").map(String.init)
            guard parts.count >= 3, parts[0].hasPrefix("block"), let layer = Int(parts[0].dropFirst(5)) else {
                return .renamed(name)
            }
            let modules = ["norm1": "ln_1", "norm2": "ln_2", "attention.qkv": "attn.c_attn",
                           "attention.output": "attn.c_proj", "mlp.expand": "mlp.c_fc", "mlp.contract": "mlp.c_proj"]
            let leaf = parts.removeLast()
            guard let module = modules[parts.dropFirst().joined(separator: ".")] else { return .renamed(name) }
            let torchLeaf = ["gamma": "weight", "beta": "bias"][leaf] ?? leaf
            return .renamed("transformer.h.\(layer).\(module).\(torchLeaf)")
        }
    }

    /// The state-dict name of the tensor an adapter's A or B attaches to: `<base name>.lora_A` / `.lora_B`.
    static func adapterName(of adapterTensor: String, family: Family, in layout: ParameterLayout) -> String {
        for (suffix, torch) in [(".loraA", ".lora_A"), (".loraB", ".lora_B")] where adapterTensor.hasSuffix(suffix) {
            let base = String(adapterTensor.dropLast(suffix.count))
            if case let .renamed(torchBase) = mapping(of: base, family: family, in: layout) { return torchBase + torch }
        }
        return adapterTensor
    }

    /// The state dict of `values` laid out by `layout` (a model's tensors, optionally followed by LoRA
    /// adapters named `<matrix>.loraA` / `.loraB`, exported as `<state-dict name>.lora_A` / `.lora_B`).
    package static func export(_ values: [Float], layout: ParameterLayout, family: Family) -> [SafeTensors.Entry] {
        precondition(values.count == layout.count, "PyTorchStateDict.export: \(values.count) values for \(layout.count)")
        var tensors: [SafeTensors.Entry] = []
        for entry in layout.entries {
            let slice = Array(values[entry.range])
            if entry.name.hasSuffix(".loraA") || entry.name.hasSuffix(".loraB") {
                tensors.append(.init(name: adapterName(of: entry.name, family: family, in: layout), shape: entry.shape, values: slice))
                continue
            }
            switch mapping(of: entry.name, family: family, in: layout) {
            case let .renamed(name): tensors.append(.init(name: name, shape: entry.shape, values: slice))
            case let .summed(first, second):
                tensors.append(.init(name: first, shape: entry.shape, values: slice))
                tensors.append(.init(name: second, shape: entry.shape, values: [Float](repeating: 0, count: slice.count)))
            }
        }
        if family == .transformer, let wte = tensors.first(where: { $0.name == "transformer.wte.weight" }) {
            tensors.append(.init(name: "lm_head.weight", shape: wte.shape, values: wte.values))
        }
        return tensors
    }

    /// A model's weights in `layout` (a model layout, no adapters) from a state dict of `family`'s names.
    /// - Throws: `.mismatch` listing, one per line, every missing tensor, unexpected tensor and wrong shape.
    package static func modelWeights(from file: SafeTensors, layout: ParameterLayout, family: Family,
                                     fileName: String) throws(PyTorchImportError) -> [Float] {
        var problems: [String] = []
        var used = Set<String>()
        var weights = [Float](repeating: 0, count: layout.count)
        func take(_ name: String, shape: [Int]) -> [Float]? {
            guard let tensor = file.tensor(named: name) else {
                problems.append("missing tensor \(name) \(shape)")
                return nil
            }
            used.insert(name)
            guard tensor.shape == shape else {
                problems.append("\(name): shape \(tensor.shape) in the file, \(shape) in this model")
                return nil
            }
            return tensor.values
        }
        for entry in layout.entries {
            switch mapping(of: entry.name, family: family, in: layout) {
            case let .renamed(name):
                if let values = take(name, shape: entry.shape) { weights.replaceSubrange(entry.range, with: values) }
            case let .summed(first, second):
                let a = take(first, shape: entry.shape), b = take(second, shape: entry.shape)
                if let a, let b { weights.replaceSubrange(entry.range, with: zip(a, b).map { $0 + $1 }) }
            }
        }
        if family == .transformer, let head = file.tensor(named: "lm_head.weight") {
            used.insert(head.name)
            if let wte = file.tensor(named: "transformer.wte.weight"), head != SafeTensors.Entry(name: head.name,
                                                                                              shape: wte.shape, values: wte.values) {
                problems.append("lm_head.weight differs from transformer.wte.weight (Murmur ties the output to the embedding)")
            }
        }
        for tensor in file.tensors where !used.contains(tensor.name) {
            problems.append("unexpected tensor \(tensor.name) \(tensor.shape)")
        }
        guard problems.isEmpty else { throw .mismatch(file: fileName, family: family.rawValue, problems: problems) }
        return weights
    }
}

/// A state dict that does not fit the model it is to seed.
package enum PyTorchImportError: Error, Equatable, CustomStringConvertible {
    case mismatch(file: String, family: String, problems: [String])

    package var description: String {
        switch self {
        case let .mismatch(file, family, problems):
            "\(file) does not fit this \(family) model (names as in docs/formats.md):\n"
                + problems.map { "  " + $0 }.joined(separator: "\n")
        }
    }
}
