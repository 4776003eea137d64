import Experiments
import Federation
import Learning
import Foundation
import Tasks
import Testing

/// Speech recognition through the same run as language modelling: a tiny recogniser on a corpus spoken
/// by espeak-ng, resumed and on either thread count to the same bits, with an attention decoder, under
/// differential privacy with secure aggregation, and from a centrally trained seed model.
@Suite(.serialized) struct SpeechRunTests {
    /// Six training and two held-out speakers, made once for the suite (a few seconds of espeak-ng).
    static let corpus: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-speech-\(UUID().uuidString)").path
        let plan = SpeechCorpusPlan(.init(trainingSpeakers: 6, heldOutSpeakers: 2, seed: 3, utterancesPerSpeaker: 3))
        do {
            try SpeechCorpusSynthesizer(plan: plan, espeak: try EspeakSynthesizer()).write(to: folder, threads: 2)
        } catch {
            fatalError("SpeechRunTests: could not make the corpus (is espeak-ng installed?): \(error)")
        }
        return folder
    }()

    /// A 4-round speech scenario on the corpus with a tiny model; `extra` adds top-level sections.
    /// A folder with an empty speakers.jsonl: enough for the scenario reader, which only checks it exists.
    static let stub: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-speech-stub-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try! Data().write(to: folder.appendingPathComponent("speakers.jsonl"))
        return folder.path
    }()

    static func json(folder: String = corpus, model: String = "", clients: String = "", extra: String = "") -> String {
        let (train, validation) = folder == stub ? (stub, stub) : (folder + "/train", folder + "/validation")
        return """
        {"name": "speech", "task": "speechRecognition", "seed": 5, "rounds": 4,
         "data": {"trainPath": "\(train)", "validationPath": "\(validation)"},
         "model": {"width": 16, "heads": 2, "layers": 1, "convolutionWidth": 16, "feedForwardWidth": 32\(model)},
         "clients": {"cohortSize": 3, "batchSize": 2, "optimizer": "adam", "learningRate": 0.003\(clients)},
         "server": {"optimizer": "fedadam", "learningRate": 0.01},
         "evaluation": {"every": 2}, "output": {"checkpointEvery": 2}\(extra)}
        """
    }

    @Test func resumedSpeechRunMatchesUninterruptedRunOnEitherThreadCount() throws {
        let straight = ScenarioRunnerTests.folder(), interrupted = ScenarioRunnerTests.folder()
        let text = Self.json(clients: #", "specAugment": true, "batchSeconds": 6"#)
        let expected = try ScenarioRunnerTests.run(text, threads: 1, folder: straight)
        _ = try ScenarioRunnerTests.run(text, threads: 2, stopAfter: 3, folder: interrupted)
        _ = try ScenarioRunnerTests.run(text, threads: 2, resume: true, folder: interrupted)
        let lines = try ScenarioRunnerTests.metrics(straight)
        #expect(try ScenarioRunnerTests.metrics(interrupted) == lines)
        #expect(lines.filter { $0.metric("wordErrorRate") != nil }.map(\.round) == [0, 2, 4])
        #expect(lines.dropFirst().allSatisfy { ($0.trainLoss ?? 0) > 0 && $0.trainingTargets > 0 })
        let a = try TrainingCheckpoint.read(from: URL(fileURLWithPath: straight + "/checkpoint.bin"))
        let b = try TrainingCheckpoint.read(from: URL(fileURLWithPath: interrupted + "/checkpoint.bin"))
        #expect(a.parameters == b.parameters && a.serverOptimizerState == b.serverOptimizerState)
        #expect(expected.metrics.map(\.name) == ["wordErrorRate", "characterErrorRate", "validationLoss"])
        #expect(expected.clients.map { $0.maxPeakMemoryBytes > 0 } == true)
    }

    /// λ < 1 adds the attention decoder's parameters and its loss; training still lowers the loss.
    @Test func attentionDecoderTrains() throws {
        let pure = try Scenario(json: Data(Self.json().utf8), file: "speech.json")
        let mixed = try Scenario(json: Data(Self.json(model: #", "ctcWeight": 0.5"#).utf8), file: "speech.json")
        #expect(mixed.task.modelShape.parameterCount > pure.task.modelShape.parameterCount)
        let folder = ScenarioRunnerTests.folder()
        _ = try ScenarioRunnerTests.run(Self.json(model: #", "ctcWeight": 0.5"#), folder: folder)
        let losses = try ScenarioRunnerTests.metrics(folder).compactMap(\.trainLoss)
        #expect(losses.count == 4 && losses.allSatisfy(\.isFinite))
    }

    /// The issue's "a DP + secure-aggregation speech run works": per-layer clipping by size, central
    /// Gaussian noise, SecAgg+ with real masks; ε is reported and every round sums all of its clients.
    @Test func privateSecurelyAggregatedSpeechRunWorks() throws {
        let extra = #", "privacy": {"noiseMultiplier": 0.3, "delta": 1e-3, "clipping": "perLayerDimension", "clipBound": 1},"#
            + #" "secureAggregation": {"bits": 24}"#
        let summary = try ScenarioRunnerTests.run(Self.json(extra: extra), folder: ScenarioRunnerTests.folder())
        let privacy = try #require(summary.privacy)
        #expect(privacy.epsilon > 0 && privacy.epsilon.isFinite)
        let secure = try #require(summary.secureAggregation)
        #expect(secure.rounds == 4 && secure.failedRounds == 0)
        #expect(summary.finalMetrics?["wordErrorRate"] != nil)
    }

    /// `murmur train-central`'s folder seeds a federated run: its round 0 scores the central model.
    @Test func centralSeedModelStartsAFederatedRun() throws {
        let central = ScenarioRunnerTests.folder()
        let text = Self.json(extra: #", "central": {"steps": 3, "usersPerStep": 2, "evaluateEvery": 3}"#)
        var options = RunOptions()
        options.runFolder = central
        let seeded = try CentralTrainingRunner(scenario: try Scenario(json: Data(text.utf8), file: "speech.json"),
                                               options: options, reporter: .silent).run().summary
        #expect(seeded.roundsCompleted == 3)
        let federated = ScenarioRunnerTests.folder()
        let warm = Self.json(model: #", "initialWeights": "\#(central)""#)
        _ = try ScenarioRunnerTests.run(warm, folder: federated)
        let start = try #require(try ScenarioRunnerTests.metrics(federated).first?.evaluation)
        #expect(start == seeded.finalMetrics)
    }

    @Test(arguments: [
        (SpeechRunTests.json(folder: stub, extra: #", "peu": {"rows": 10}"#), "speech.json: peu: partial embedding updates choose rows"),
        (SpeechRunTests.json(folder: stub, clients: #", "maxSentences": 3"#), "speech.json: clients.maxSentences:"),
        (SpeechRunTests.json(folder: stub, model: #", "decoderLayers": 2"#),
         "speech.json: model.decoderLayers: applies only when model.ctcWeight < 1"),
    ])
    func keysThatDoNotApplyToSpeechAreRefused(text: String, message: String) {
        do {
            _ = try Scenario(json: Data(text.utf8), file: "speech.json")
            Issue.record("accepted: \(message)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    @Test func aMissingSpeakerFolderSaysHowToMakeOne() {
        let text = #"{"task": "speechRecognition", "data": {"validationPath": "v"}}"#
        do {
            _ = try Scenario(json: Data(text.utf8), file: "s.json")
            Issue.record("accepted a speech scenario without data.trainPath")
        } catch {
            #expect(error.description.hasPrefix("s.json: data.trainPath: required"))
            #expect(error.description.contains("murmur data synth-asr"))
        }
    }
}
