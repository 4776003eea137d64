import Experiments
import Foundation
import Testing

/// A newcomer's first hour (issue 25): the command-line messages and run behaviours pinned.
@Suite(.serialized) struct FirstHourCommandTests {
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-first-hour-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// A run of a few seconds: a small LSTM over a small synthetic language.
    static let tinyScenario = #"""
        {"rounds": 2, "data": {"users": 200, "vocabularySize": 60},
         "model": {"embeddingSize": 8, "hiddenSize": 16}, "clients": {"cohortSize": 4, "learningRate": 0.1},
         "server": {"optimizer": "fedadam", "learningRate": 0.1},
         "evaluation": {"every": 1, "users": 20}, "output": {"checkpointEvery": 1}}
        """#

    @Test(arguments: [
        (["run", "--threads", "0"], "murmur: run: option '--threads': '0' is not valid; allowed: an integer in 1...256"),
        (["run", "--threads", "1,2"], "murmur: run: option '--threads': '1,2' is not valid; allowed: an integer in 1...256"),
        (["privacy", "epsilon", "--noise", "1", "--steps", "10"],
         "murmur: privacy epsilon: needs --delta D, the δ of the (ε, δ) guarantee, below 1/population (e.g. --delta 1e-6)"),
        (["privacy", "calibrate", "--delta", "1e-6", "--steps", "10"],
         "murmur: privacy calibrate: needs --epsilon E, the ε budget (e.g. --epsilon 2)"),
        (["privacy", "epsilon", "--noise", "1", "--steps", "10", "--delta"],
         "murmur: privacy epsilon: option '--delta' needs a value (D: δ of the (ε, δ) guarantee)"),
        (["data", "synth-lm"], "murmur: data synth-lm: needs --out DIR, the folder to write (e.g. --out data/train)"),
    ])
    func commandLineMistakesSayWhatIsWanted(arguments: [String], message: String) {
        let result = CommandLineTests.run(arguments)
        #expect(result.status == 64)
        #expect(result.errors == message + "\n")
    }

    @Test func outOnAFolderOfOtherFilesSaysSo() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("x".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let result = CommandLineTests.run(["run", "--out", folder.path])
        #expect(result.status == 1)
        #expect(result.errors == "murmur: \(folder.path): holds other files (notes.txt), not a run; --out names a new or empty "
            + "folder, e.g. --out \(folder.path)/quickstart\n")
    }

    @Test func resumingAFinishedRunChangesNothingAndSaysSo() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = folder.appendingPathComponent("tiny.json"), run = folder.appendingPathComponent("run")
        try Data(Self.tinyScenario.utf8).write(to: scenario)
        let first = CommandLineTests.run(["run", scenario.path, "--out", run.path, "--threads", "1"])
        #expect(first.status == 0, "\(first.errors)")
        let files = ["summary.json", "report.html", "metrics.jsonl", "checkpoint.bin"]
        func state() throws -> [Data] { try files.map { try Data(contentsOf: run.appendingPathComponent($0)) } }
        func dates() throws -> [Date?] {
            try files.map { try FileManager.default.attributesOfItem(atPath: run.appendingPathComponent($0).path)[.modificationDate] as? Date }
        }
        let (before, datesBefore) = (try state(), try dates())
        let again = CommandLineTests.run(["run", scenario.path, "--out", run.path, "--resume"])
        #expect(again.status == 0)
        #expect(again.errors == "murmur run: \(run.path) has finished (2 rounds); nothing to resume, nothing rewritten "
            + "(run without --resume, or with another --out, to run it again)\n")
        #expect(again.output == first.output.split(separator: "\n").last.map { $0 + "\n" })  // the same summary line
        #expect(try state() == before)
        #expect(try dates() == datesBefore)
        // A different scenario is still refused, as before.
        let other = CommandLineTests.run(["run", scenario.path, "--out", run.path, "--resume", "--set", "rounds=3"])
        #expect(other.status == 1 && other.errors.contains("the scenario differs from the one this run was started with"))
    }

    @Test func aRunWorseThanItsBaselineSaysSoAndTheReportSaysWhatTheRunIs() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = folder.appendingPathComponent("tiny.json"), run = folder.appendingPathComponent("run")
        try Data(Self.tinyScenario.utf8).write(to: scenario)
        // Two rounds at a tiny rate leave the model near uniform: far worse than word frequencies.
        let result = CommandLineTests.run(["run", scenario.path, "--out", run.path, "--set", "clients.learningRate=0.0001",
                                           "--set", "server.learningRate=0.0001"])
        #expect(result.status == 0, "\(result.errors)")
        // (Read as plain JSON: this test target does not import Federation, where the baseline type lives.)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("summary.json")))
            as? [String: Any])
        let baselines = try #require(summary["baselines"] as? [[String: Any]])
        let unigramValue = try #require(baselines.first { $0["metric"] as? String == "validationPerplexity" }?["value"] as? Double)
        let final = try #require((summary["finalMetrics"] as? [String: Double])?["validationPerplexity"])
        #expect(final > unigramValue)
        let last = result.errors.split(separator: "\n").last { $0.contains("rounds in") }.map(String.init) ?? ""
        #expect(last.hasSuffix("; WORSE than the unigram baseline (\(String(format: "%.1f", unigramValue))): the model has not "
            + "learnt beyond it; run more rounds or check the learning rates"), "\(last)")

        let html = try String(contentsOf: run.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<p class=\"warning\"><strong>Final validation perplexity WORSE than the unigram baseline"))
        // The setup, rounded for people, and which Murmur ran it.
        #expect(html.contains("<h2>Setup</h2>"))
        #expect(html.contains("<td>fedadam, learningRate 0.0001, beta1 0.9, beta2 0.99, adaptivity 0.001, warmupRounds 0, decay none</td>"))
        #expect(html.contains("<td>lstm (embeddingSize 8, hiddenSize 16)</td>"))
        #expect(html.contains("<td>4 clients a round</td>"))
        #expect(html.contains("<th scope=\"row\">differential privacy</th><td>none</td>"))
        #expect(html.contains("Run by Murmur \(MurmurBuild.version), commit \(MurmurBuild.commit)"))
        // The baseline is a line of the perplexity chart, with its value in the legend.
        let legend = "unigram baseline (\(ReportFormat.significant(unigramValue, digits: 4)))"
        #expect(html.contains("<g class=\"series\" data-name=\"\(legend)\""))
        let build = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("build.json"))) as? [String: String]
        #expect(build?["version"] == MurmurBuild.version && build?["commit"] == MurmurBuild.commit)
    }

    @Test func theCommitIsKnownInACheckout() {
        // The test binary sits in this checkout's .build, so git names its commit.
        #expect(MurmurBuild.commit.prefix(40).allSatisfy(\.isHexDigit) && MurmurBuild.commit.count >= 40)
        #expect(CommandLineTests.run(["--version"]).output == "murmur \(MurmurBuild.version), commit \(MurmurBuild.commit)\n")
    }

    @Test func numbersAreRoundedForPeople() {
        #expect(ReportFormat.human(NSNumber(value: Double(Float(0.1)))) == "0.1")
        #expect(ReportFormat.human(NSNumber(value: 1e-6)) == "1e-6")
        #expect(ReportFormat.human(NSNumber(value: 20000)) == "20000")
        #expect(ReportFormat.human(true) == "true")
        #expect(ReportFormat.epsilon(1.9999893455624957) == "2.00")
        #expect(ReportFormat.epsilon(0.0123456) == "0.0123")
    }
}
