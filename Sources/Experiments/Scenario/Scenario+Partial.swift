import Federation
import Foundation
import Learning
import Tasks

// The readers of partial training: the `peu` and `lora` sections and the clients' training loss
// (docs/peu.md explains them; docs/scenarios.md lists the keys).
extension Scenario {
    /// Reads `peu` and `lora` (each optional) into `training.partial`.
    static func readPartial(_ root: ScenarioReader, training: inout FederatedTrainingConfiguration, shape: ModelShape,
                            vocabularySize: Int) throws(ScenarioError) {
        if root.contains("peu") {
            let r = try root.section("peu")
            let words = vocabularySize - 1  // every id but <pad>
            if !r.contains("rows") { throw r.error("rows", "required: the embedding rows a round trains, 1...\(words)") }
            let rows = try r.integer("rows", default: 0, in: 1...words)
            let rule = EmbeddingRowSelection.Rule(rawValue: try r.choice(
                "rule", default: "sampled", among: EmbeddingRowSelection.Rule.allCases.map(\.rawValue)))!
            var selection = EmbeddingRowSelection(rows: rows, rule: rule)
            if rule == .mixed {
                selection.topRows = try r.integer("topRows", default: rows / 2, in: 1...max(1, rows - 1))
                if rows < 2 { throw r.error("rows", "rule mixed needs at least 2 rows (top ones plus sampled ones)") }
            }
            if rule != .top { selection.power = try r.number("power", default: 1, in: 0...4) }
            try r.finish(note: "topRows applies to rule mixed; power to rules sampled and mixed")
            training.partial.embeddingRows = selection
        }
        if root.contains("lora") {
            let r = try root.section("lora")
            let smallest = shape.adaptableMatrices.map { $0.shape.min()! }.min() ?? 1
            let rank = try r.integer("rank", default: 8, in: 1...smallest)
            let alpha = try r.number("alpha", default: Double(2 * rank), in: 0...1e4, excludingLowerBound: true)
            training.partial.lora = LowRankAdaptation(rank: rank, alpha: Float(alpha))
            training.partial.adapterHandling = PartialTraining.AdapterHandling(rawValue: try r.choice(
                "server", default: "keep", among: PartialTraining.AdapterHandling.allCases.map(\.rawValue)))!
            try r.finish()
        }
    }

    /// Reads `clients.loss` and `clients.lossSamples` into the language task, and returns
    /// `clients.memoryLimitBytes` (nil: no cap).
    static func readLoss(_ r: ScenarioReader, model: LanguageModelConfiguration, vocabularySize: Int,
                         task: inout LanguageModellingTask.Configuration) throws(ScenarioError) -> Int? {
        let kind = try r.choice("loss", default: "softmax", among: ["softmax", "sampledSoftmax", "nce"])
        if kind != "softmax" {
            if case .transformer = model {
                throw r.error("loss", "\(kind) is implemented for model.kind lstm; use softmax with a transformer")
            }
            let samples = try r.integer("lossSamples", default: min(256, vocabularySize - 2), in: 1...max(1, vocabularySize - 2))
            task.loss = kind == "nce" ? .noiseContrastive(samples: samples) : .sampledSoftmax(samples: samples)
        } else if r.contains("lossSamples") {
            throw r.error("lossSamples", "applies only to loss nce or sampledSoftmax (the exact softmax scores every word)")
        }
        r.declare(["memoryLimitBytes"])
        guard r.contains("memoryLimitBytes") else { return nil }
        return try r.integer("memoryLimitBytes", default: 0, in: 1...(1 << 50))
    }
}
