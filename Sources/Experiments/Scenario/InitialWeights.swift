import Foundation
import Learning

/// The weights `model.initialWeights` names: a Murmur checkpoint (a run folder or its checkpoint.bin) or a
/// PyTorch state dict in safetensors (a `.safetensors` file under docs/formats.md's names — a model trained
/// centrally in PyTorch, or `murmur export`'s output), read into the model's layout.
package enum InitialWeights {
    /// Whether `path` names a safetensors state dict rather than a checkpoint.
    package static func isStateDict(_ path: String) -> Bool { path.hasSuffix(".safetensors") }

    /// The model weights in `layout`'s order (a model layout, no adapters).
    /// - Throws: `SafeTensorsError` for a damaged file, `PyTorchImportError` (every mismatched name or shape, one
    ///   a line) when it does not fit, a one-line `ScenarioError`-ready message for a family without a naming.
    package static func stateDictWeights(path: String, layout: ParameterLayout) throws -> [Float] {
        let file = try SafeTensors.read(contentsOf: path)
        guard let family = PyTorchStateDict.Family(layout: layout) else {
            throw StateDictUnsupported(description: "\(path): this model family has no PyTorch naming to read it by")
        }
        return try PyTorchStateDict.modelWeights(from: file, layout: layout, family: family, fileName: path)
    }

    struct StateDictUnsupported: Error, CustomStringConvertible { let description: String }
}
