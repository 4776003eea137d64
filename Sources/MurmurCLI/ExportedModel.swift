import Federation
import Foundation
import Kernels
import Learning

/// A run's global model as `murmur export` finds it: the checkpoint's values, and the layout, family and
/// adapters recovered from the scenario the checkpoint records (or the run folder's scenario.json).
///
/// The scenario gives the model's kind and sizes and the LoRA section; the vocabulary size is solved from
/// the checkpoint's length (a model's size is affine in it), so the data need not be at hand.
struct ExportedModel {
    let values: [Float]
    let completedRounds: Int
    let family: PyTorchStateDict.Family
    let space: UpdateSpace

    /// Why a checkpoint cannot be exported, as one line.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func read(_ given: String) throws -> ExportedModel {
        var isFolder: ObjCBool = false
        var url = URL(fileURLWithPath: given)
        if FileManager.default.fileExists(atPath: given, isDirectory: &isFolder), isFolder.boolValue {
            url = url.appendingPathComponent("checkpoint.bin")
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Failure(description: "export: \(url.path) not found: give a run folder or its checkpoint.bin")
        }
        let checkpoint = try TrainingCheckpoint.read(from: url)
        let scenarioText: String
        if let recorded = checkpoint.run?.scenario {
            scenarioText = recorded
        } else if let beside = FileManager.default.contents(atPath: url.deletingLastPathComponent()
            .appendingPathComponent("scenario.json").path) {
            scenarioText = String(decoding: beside, as: UTF8.self)
        } else {
            throw Failure(description: "export: \(url.path) records no scenario and has no scenario.json beside it: "
                + "the model's kind and sizes are unknown")
        }
        guard let tree = (try? JSONSerialization.jsonObject(with: Data(scenarioText.utf8))) as? [String: Any] else {
            throw Failure(description: "export: the scenario of \(url.path) is not a JSON object")
        }
        let space = try Self.space(tree, parameterCount: checkpoint.parameters.count, file: url.path)
        guard let family = PyTorchStateDict.Family(layout: space.modelLayout) else {
            throw Failure(description: "export: \(url.path): this model family has no PyTorch naming yet")
        }
        return ExportedModel(values: checkpoint.parameters, completedRounds: checkpoint.completedRounds, family: family,
                             space: space)
    }

    /// The model (and adapters) whose layout has exactly `parameterCount` floats.
    private static func space(_ tree: [String: Any], parameterCount: Int, file: String) throws -> UpdateSpace {
        let model = tree["model"] as? [String: Any] ?? [:]
        func integer(_ key: String, _ fallback: Int) -> Int { (model[key] as? Int) ?? fallback }
        func configuration(vocabulary: Int) -> LanguageModelConfiguration {
            if (model["kind"] as? String) == "transformer" {
                return .transformer(.init(vocabularySize: vocabulary, width: integer("width", 64), heads: integer("heads", 4),
                                          layers: integer("layers", 2), maxSteps: integer("maxSteps", 32)))
            }
            return .lstm(.init(vocabularySize: vocabulary, embeddingSize: integer("embeddingSize", 96),
                               hiddenSize: integer("hiddenSize", 256), lstmBiases: integer("lstmBiases", 1) == 2 ? 2 : 1))
        }
        var partial = PartialTraining()
        if let lora = tree["lora"] as? [String: Any] {
            let rank = (lora["rank"] as? Int) ?? 8
            partial.lora = LowRankAdaptation(rank: rank, alpha: Float((lora["alpha"] as? Double) ?? Double(2 * rank)))
        }
        func space(_ vocabulary: Int) -> UpdateSpace {
            UpdateSpace(shape: configuration(vocabulary: vocabulary).shape, partial: partial)
        }
        // stateLayout.count = base + slope × vocabulary (only the embedding table grows with it).
        let (small, large) = (space(8).stateLayout.count, space(9).stateLayout.count)
        let slope = large - small, base = small - 8 * slope
        let vocabulary = (parameterCount - base) / slope
        guard vocabulary >= 5, base + vocabulary * slope == parameterCount else {
            throw Failure(description: "export: \(file): its \(parameterCount) values fit no vocabulary size of the "
                + "scenario's model (\(model["kind"] as? String ?? "lstm")); is it the checkpoint of that scenario?")
        }
        return space(vocabulary)
    }

    /// The state dict: the model's tensors (adapters folded in when `mergingAdapters`, else written apart
    /// with `lora_rank` / `lora_alpha` in the metadata).
    func stateDict(mergingAdapters: Bool) -> SafeTensors {
        var metadata = ["format": "pt", "murmur.family": family.rawValue, "murmur.round": String(completedRounds)]
        let state = ParameterSet(layout: space.stateLayout, flat: Tensor(shape: [values.count], values: values))
        if space.adapters.isEmpty || mergingAdapters {
            let model = space.adapters.isEmpty ? state : space.modelParameters(from: state)
            return SafeTensors(tensors: PyTorchStateDict.export(model.flat.scalars, layout: space.modelLayout, family: family),
                               metadata: metadata)
        }
        metadata["lora_rank"] = String(space.lora!.rank)
        metadata["lora_alpha"] = String(space.lora!.alpha)
        return SafeTensors(tensors: PyTorchStateDict.export(values, layout: space.stateLayout, family: family),
                           metadata: metadata)
    }
}
