import Experiments
import Federation
import Foundation
import Testing

/// The run folder: what is written, and that an interrupted run resumed with --resume ends exactly where
/// an uninterrupted one does, on any thread count.
@Suite struct ScenarioRunnerTests {
    static let json = """
        {"name": "tiny", "seed": 3, "rounds": 5,
         "data": {"users": 200, "validationUsers": 20, "vocabularySize": 60},
         "model": {"embeddingSize": 8, "hiddenSize": 16},
         "clients": {"cohortSize": 6, "learningRate": 0.5},
         "server": {"optimizer": "fedyogi", "learningRate": 0.02},
         "evaluation": {"every": 2}, "output": {"checkpointEvery": 2}}
        """

    /// Runs scenario `text` (this suite's tiny one by default), named `file` in errors, silently.
    static func run(_ text: String = json, file: String = "tiny.json", threads: Int = 2, stopAfter: Int? = nil,
                    resume: Bool = false, folder: String) throws -> RunSummary {
        var options = RunOptions()
        options.threads = threads
        options.runFolder = folder
        options.resume = resume
        options.stopAfterRound = stopAfter
        let scenario = try Scenario(json: Data(text.utf8), file: file)
        return try ScenarioRunner(scenario: scenario, options: options, reporter: .silent).run().summary
    }

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("murmur-run-\(UUID().uuidString)").path
    }

    /// metrics.jsonl without wall-clock times, which are the only thing allowed to differ.
    static func metrics(_ folder: String) throws -> [RoundMetrics] {
        try String(contentsOfFile: folder + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").map { line in
            var metrics = try JSONDecoder().decode(RoundMetrics.self, from: Data(line.utf8))
            metrics.wallSeconds = 0
            return metrics
        }
    }

    @Test func writesTheRunFolder() throws {
        let folder = Self.folder()
        let summary = try Self.run(threads: 2, folder: folder)
        for file in ["scenario.json", "metrics.jsonl", "summary.json", "checkpoint.bin"] {
            #expect(FileManager.default.fileExists(atPath: folder + "/" + file), "\(file)")
        }
        let metrics = try Self.metrics(folder)
        #expect(metrics.map(\.round) == [0, 1, 2, 3, 4, 5])
        #expect(metrics.filter { $0.metric("validationPerplexity") != nil }.map(\.round) == [0, 2, 4, 5])
        #expect(summary.roundsCompleted == 5 && summary.finalPrimary == metrics.last?.metric("validationPerplexity"))
        let resolved = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/scenario.json")))
        #expect(((resolved as? [String: Any])?["clients"] as? [String: Any])?["batchSize"] as? Int == 16)  // defaults written
    }

    @Test func resumedRunMatchesUninterruptedRunOnEitherThreadCount() throws {
        let straight = Self.folder(), interrupted = Self.folder()
        let expected = try Self.run(threads: 1, folder: straight)
        _ = try Self.run(threads: 2, stopAfter: 3, folder: interrupted)  // checkpoint at 2; round 3 is redone
        let resumed = try Self.run(threads: 2, resume: true, folder: interrupted)
        #expect(try Self.metrics(interrupted) == Self.metrics(straight))
        #expect(resumed.finalPrimary == expected.finalPrimary)
        let a = try TrainingCheckpoint.read(from: URL(fileURLWithPath: straight + "/checkpoint.bin"))
        let b = try TrainingCheckpoint.read(from: URL(fileURLWithPath: interrupted + "/checkpoint.bin"))
        #expect(a.parameters == b.parameters)  // same model and optimizer state, bit for bit
        #expect(a.serverOptimizerState == b.serverOptimizerState && a.completedRounds == b.completedRounds)
    }

    @Test func resumeRefusesAnotherScenarioOrAnEmptyFolder() throws {
        let folder = Self.folder()
        _ = try Self.run(threads: 1, stopAfter: 2, folder: folder)
        var options = RunOptions()
        options.runFolder = folder
        options.resume = true
        let changed = try Scenario(json: Data(Self.json.utf8), file: "tiny.json", overrides: ["clients.learningRate=0.4"])
        #expect(throws: RunError.self) { try ScenarioRunner(scenario: changed, options: options, reporter: .silent).run() }
        options.runFolder = Self.folder()
        #expect(throws: RunError.self) { try ScenarioRunner(scenario: changed, options: options, reporter: .silent).run() }
    }
}
