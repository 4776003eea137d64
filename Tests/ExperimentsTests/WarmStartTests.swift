import Experiments
import Federation
import Foundation
import Testing

/// `model.initialWeights`: a run that starts from another run's checkpoint, and the mistakes refused.
@Suite struct WarmStartTests {
    /// The tiny scenario of `ScenarioRunnerTests` with `model` replaced and `extra` sections added.
    static func scenario(model: String, extra: String = "") -> String {
        ScenarioRunnerTests.json.replacingOccurrences(of: #""model": {"embeddingSize": 8, "hiddenSize": 16}"#,
                                                      with: #""model": \#(model)"# + extra)
    }

    /// A run started from another's folder scores, before its first round, exactly what the other scored
    /// after its last: the same weights on the same validation users. Under LoRA too, whose adapters start
    /// at B = 0 and so add nothing to the pretrained model.
    @Test(arguments: [false, true])
    func runStartsWhereTheCheckpointedRunEnded(lora: Bool) throws {
        let pretrain = ScenarioRunnerTests.folder(), finetune = ScenarioRunnerTests.folder()
        let pretrained = try ScenarioRunnerTests.run(threads: 1, folder: pretrain)
        let model = #"{"embeddingSize": 8, "hiddenSize": 16, "initialWeights": "\#(pretrain)"}"#
        let text = Self.scenario(model: model, extra: lora ? #", "lora": {"rank": 2}"# : "")
        let warm = try ScenarioRunnerTests.run(text, threads: 1, stopAfter: 1, folder: finetune)
        let start = try ScenarioRunnerTests.metrics(finetune)[0]
        #expect(start.round == 0 && pretrained.finalPrimary != nil)
        #expect(start.metric("validationPerplexity") == pretrained.finalPrimary)
        let coldFolder = ScenarioRunnerTests.folder()
        let coldText = Self.scenario(model: #"{"embeddingSize": 8, "hiddenSize": 16}"#, extra: lora ? #", "lora": {"rank": 2}"# : "")
        _ = try ScenarioRunnerTests.run(coldText, threads: 1, stopAfter: 1, folder: coldFolder)
        let cold = try ScenarioRunnerTests.metrics(coldFolder)[0]
        #expect(cold.metric("validationPerplexity") != start.metric("validationPerplexity"))
        #expect(warm.roundsCompleted == 1)
    }

    @Test func missingOrMisfittingCheckpointsAreOneLine() throws {
        let missing = ScenarioRunnerTests.folder()
        #expect(ScenarioTests.error(Self.scenario(model: #"{"initialWeights": "\#(missing)"}"#))
            == "s.json: model.initialWeights: \(missing) not found: give a run folder or its checkpoint.bin "
            + "(relative to the scenario's folder), and run the scenario that trains it first")
        let pretrain = ScenarioRunnerTests.folder()
        _ = try ScenarioRunnerTests.run(threads: 1, stopAfter: 2, folder: pretrain)  // checkpointed at round 2
        let bigger = #"{"embeddingSize": 8, "hiddenSize": 20, "initialWeights": "\#(pretrain)"}"#
        let message = try #require(ScenarioTests.error(Self.scenario(model: bigger)))
        #expect(message.hasPrefix("s.json: model.initialWeights: \(pretrain)/checkpoint.bin holds "))
        #expect(message.hasSuffix("(use a checkpoint of a run of the same model, without LoRA adapters)"))
        let notCheckpoint = pretrain + "/scenario.json"
        #expect(ScenarioTests.error(Self.scenario(model: #"{"initialWeights": "\#(notCheckpoint)"}"#))
            == "s.json: model.initialWeights: \(notCheckpoint): not a usable checkpoint: not a Murmur checkpoint")
    }
}
