import Experiments
import Federation
import Foundation
import Learning
import Tasks
import Testing

/// The `peu` and `lora` sections and the clients' loss: what they resolve to, each mistake as one line,
/// and the ready comparison scenarios.
@Suite struct PartialScenarioTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func error(_ json: String) -> String? {
        do {
            _ = try Scenario(json: Data(json.utf8), file: "s.json")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func sectionsResolve() throws {
        let scenario = try Scenario(json: Data(#"""
            {"data": {"vocabularySize": 500, "unigram": "heldOut"}, "model": {"embeddingSize": 16, "hiddenSize": 32},
             "peu": {"rows": 100, "rule": "mixed", "topRows": 40, "power": 0.5}, "lora": {"rank": 4, "server": "merge"},
             "clients": {"loss": "nce", "lossSamples": 64, "memoryLimitBytes": 50000000}}
            """#.utf8), file: "s.json")
        let training = scenario.training
        #expect(training.partial.embeddingRows == EmbeddingRowSelection(rows: 100, rule: .mixed, topRows: 40, power: 0.5))
        #expect(training.partial.lora == LowRankAdaptation(rank: 4, alpha: 8))
        #expect(training.partial.adapterHandling == .merge)
        let language = try #require(scenario.languageModelling)
        #expect(language.loss == .noiseContrastive(samples: 64))
        #expect(training.client.memoryLimitBytes == 50_000_000)
        #expect(language.unigramSource == .heldOut)
        // PEU + LoRA send the rows and the adapters only.
        #expect(training.updateDimension(shape: scenario.task.modelShape) == 100 * 16 + 4 * ((16 + 128) + (32 + 128) + (32 + 16)))
    }

    @Test func mistakesAreOneLine() {
        #expect(Self.error(#"{"peu": {"rule": "top"}}"#) == "s.json: peu.rows: required: the embedding rows a round trains, 1...9999")
        #expect(Self.error(#"{"peu": {"rows": 10000}}"#) == "s.json: peu.rows: must be an integer in 1...9999, got 10000")
        #expect(Self.error(#"{"peu": {"rows": 10, "rule": "frequent"}}"#)
            == "s.json: peu.rule: 'frequent' is not one of top, sampled, mixed")
        #expect(Self.error(#"{"peu": {"rows": 10, "rule": "top", "power": 2}}"#)
            == "s.json: peu.power: does not apply here (topRows applies to rule mixed; power to rules sampled and mixed); "
            + "remove it, e.g. --set peu.power=null")
        #expect(Self.error(#"{"lora": {"rank": 97}}"#) == "s.json: lora.rank: must be an integer in 1...96, got 97")
        #expect(Self.error(#"{"lora": {"rank": 4, "server": "fold"}}"#) == "s.json: lora.server: 'fold' is not one of keep, merge")
        #expect(Self.error(#"{"model": {"kind": "transformer"}, "clients": {"loss": "nce"}}"#)
            == "s.json: clients.loss: nce is implemented for model.kind lstm; use softmax with a transformer")
        #expect(Self.error(#"{"clients": {"lossSamples": 64}}"#)
            == "s.json: clients.lossSamples: applies only to loss nce or sampledSoftmax (the exact softmax scores every word)")
        #expect(Self.error(#"{"clients": {"memoryLimitBytes": 0}}"#)
            == "s.json: clients.memoryLimitBytes: must be an integer in 1...1125899906842624, got 0")
        #expect(Self.error(#"{"data": {"unigram": "zipf"}}"#) == "s.json: data.unigram: 'zipf' is not one of rank, heldOut")
    }

    @Test(arguments: ["peu-comparison", "peu-comparison-dp"])
    func readyScenariosValidate(name: String) throws {
        let file = Self.repository.appendingPathComponent("scenarios/\(name).json").path
        let scenario = try Scenario(contentsOf: file)
        #expect(try #require(scenario.languageModelling).model.vocabularySize >= 50_000)
        #expect((scenario.privacy != nil) == name.hasSuffix("-dp"))
        let plan = try ExperimentPlan.comparison(scenarioFile: file, vary: nil, repeats: nil, overrides: [])
        #expect(plan.variants.map(\.label) == ["full", "peu", "lora", "peu+lora", "peu+lora+nce"])
    }

    /// The fine-tuning comparison starts every variant from `peu-pretrain`'s run folder, which a clean
    /// checkout does not have; given a checkpoint of the pretrained model's size instead, its twelve variants
    /// (six without and six with DP) validate, on the pretraining scenario's model.
    @Test func fineTuningComparisonValidatesOnAPretrainedCheckpoint() throws {
        let pretrain = try Scenario(contentsOf: Self.repository.appendingPathComponent("scenarios/peu-pretrain.json").path)
        #expect(pretrain.privacy == nil && pretrain.initialWeights == nil && !pretrain.training.partial.isPartial)
        let file = Self.repository.appendingPathComponent("scenarios/peu-finetune.json").path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-pretrained-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let count = pretrain.task.modelShape.parameterCount
        try TrainingCheckpoint(completedRounds: 40, parameters: [Float](repeating: 0, count: count), serverOptimizerState: [:])
            .write(to: folder.appendingPathComponent("checkpoint.bin"))
        let plan = try ExperimentPlan.comparison(scenarioFile: file, vary: nil, repeats: nil,
                                                 overrides: ["model.initialWeights=\(folder.path)"])
        let names = ["full", "peu", "lora", "peu+lora", "peu+lora+nce", "peu+lora+sampled"]
        #expect(plan.variants.map(\.label) == names + names.map { $0 + "+dp" })
        let scenario = try Scenario(contentsOf: file, overrides: ["model.initialWeights=\(folder.path)"])
        #expect(scenario.initialWeights == folder.appendingPathComponent("checkpoint.bin").standardizedFileURL.path)
        #expect(scenario.languageModelling?.model == pretrain.languageModelling?.model)
    }
}
