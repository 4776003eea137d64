import Foundation
import Testing

/// Runs killed at 24 moments — mid-round, mid-metrics line, mid-checkpoint write, before the summary,
/// in a sweep — and failed writes as from a full disk or a folder without permission, each then
/// continued with `--resume` (or the same sweep command): the metrics and the final model equal an
/// uninterrupted run's, every time, and a failed write says one line naming the path.
///
/// The kill is real (`MURMUR_FAULT`, Sources/Experiments/Runs/FaultInjection.swift: the process sends
/// itself SIGKILL at the N-th time it reaches a named point), so nothing is cleaned up, exactly as with
/// `kill -9`; placing it by point rather than by time keeps the test free of timing.
@Suite(.serialized) struct CrashSafetyTests {
    /// The `murmur` binary beside the test bundle (both are products of `swift build --build-tests`).
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("murmur").path

    static let scenario = #"""
        {"name": "crash", "seed": 3, "rounds": 12,
         "data": {"source": "synthetic", "users": 300, "validationUsers": 20, "vocabularySize": 200},
         "model": {"kind": "lstm", "embeddingSize": 8, "hiddenSize": 16},
         "clients": {"sampling": "poisson", "samplingRate": 0.02, "learningRate": 0.5},
         "server": {"optimizer": "fedadam", "learningRate": 0.05},
         "privacy": {"epsilon": 20, "delta": 1e-5, "clipBound": 1, "accountant": "rdp"},
         "evaluation": {"every": 3, "users": 20}, "output": {"checkpointEvery": 4}}
        """#

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("murmur-crash-\(UUID().uuidString)").path
    }

    /// Runs `murmur ARGUMENTS` with `fault` in MURMUR_FAULT; returns how it ended and its stderr.
    static func murmur(_ arguments: [String], fault: String? = nil) throws -> (status: Int32, killed: Bool, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + ["--threads", "1"]
        var environment = ProcessInfo.processInfo.environment
        environment["MURMUR_FAULT"] = fault
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, process.terminationReason == .uncaughtSignal, stderr)
    }

    /// What must not change across a crash: every metrics line without its wall time, and the final
    /// checkpoint's vectors.
    static func outcome(_ folder: String) throws -> (lines: [String], model: Data) {
        let text = try String(contentsOfFile: folder + "/metrics.jsonl", encoding: .utf8)
        let lines = try text.split(separator: "\n").map { line -> String in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let kept = object.filter { $0.key != "wallSeconds" }
            return String(decoding: try JSONSerialization.data(withJSONObject: kept, options: .sortedKeys), as: UTF8.self)
        }
        let checkpoint = try Data(contentsOf: URL(fileURLWithPath: folder + "/checkpoint.bin"))
        let headerLength = Int(checkpoint[8]) | Int(checkpoint[9]) << 8 | Int(checkpoint[10]) << 16 | Int(checkpoint[11]) << 24
        return (lines, checkpoint.dropFirst(12 + headerLength))
    }

    static let scenarioFile: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-crash-\(UUID().uuidString).json").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(scenario.utf8))
        return path
    }()

    static let reference: Result<(lines: [String], model: Data), any Error> = Result {
        let runFolder = Self.folder()
        let run = try murmur(["run", scenarioFile, "--out", runFolder])
        #expect(run.status == 0, "\(run.stderr)")
        return try outcome(runFolder)
    }

    /// 12 rounds, checkpoints at 0, 4, 8 and 12, evaluation every 3: the kills fall before, on and after
    /// checkpoints, mid-line, mid-checkpoint (the round-0 one included) and just before the summary.
    static let kills = (1...12).map { "round:\($0)" } + ["metrics:1", "metrics:2", "metrics:6", "metrics:13",
        "checkpoint:1", "checkpoint:2", "checkpoint:3", "checkpoint:4", "summary:1"]

    @Test(arguments: kills)
    func aRunKilledAnywhereResumesToTheSameResult(fault: String) throws {
        let folder = Self.folder()
        let killed = try Self.murmur(["run", Self.scenarioFile, "--out", folder], fault: fault)
        #expect(killed.killed && killed.status == SIGKILL, "\(fault): \(killed.stderr)")
        let resumed = try Self.murmur(["run", Self.scenarioFile, "--out", folder, "--resume"])
        #expect(resumed.status == 0, "\(fault): \(resumed.stderr)")
        let expected = try Self.reference.get(), got = try Self.outcome(folder)
        #expect(got.lines == expected.lines, "\(fault): metrics differ")
        #expect(got.model == expected.model, "\(fault): the final model differs")
        #expect(!FileManager.default.fileExists(atPath: folder + "/.checkpoint.bin.partial") || fault.hasPrefix("checkpoint"))
    }

    /// A write that fails as on a full disk or without permission: one line naming the file and what to
    /// do, exit status 1, and the run resumes from what was written to the uninterrupted result.
    @Test(arguments: ["metrics:6:nospace", "checkpoint:2:nospace", "checkpoint:3:permission", "summary:1:nospace"])
    func aFailedWriteIsOneLineAndLosesNothing(fault: String) throws {
        let folder = Self.folder()
        let failed = try Self.murmur(["run", Self.scenarioFile, "--out", folder], fault: fault)
        #expect(failed.status == 1 && !failed.killed)
        let message = failed.stderr.split(separator: "\n").last.map(String.init) ?? ""
        let reason = fault.hasSuffix("nospace") ? "no space left on the device" : "permission denied"
        #expect(message.hasPrefix("murmur: \(folder)/") && message.contains(": cannot be written (\(reason)); "),
                "\(fault): \(message)")
        #expect(message.contains("--resume"))
        #expect(!failed.stderr.contains("NSCocoaErrorDomain") && !failed.stderr.contains("Error Domain"))
        let resumed = try Self.murmur(["run", Self.scenarioFile, "--out", folder, "--resume"])
        #expect(resumed.status == 0, "\(fault): \(resumed.stderr)")
        let expected = try Self.reference.get(), got = try Self.outcome(folder)
        #expect(got.lines == expected.lines && got.model == expected.model, "\(fault)")
    }

    /// Ctrl-C: the first SIGINT finishes the round in flight and writes a checkpoint, the summary (ending
    /// `interrupted`) and the report, says how to resume, and exits 130; a second one stops at once. Either
    /// way `--resume` continues to the uninterrupted result.
    @Test(arguments: ["round:5:interrupt", "round:5:interrupt2"])
    func ctrlCStopsAtARoundBoundaryAndResumes(fault: String) throws {
        let folder = Self.folder()
        let stopped = try Self.murmur(["run", Self.scenarioFile, "--out", folder], fault: fault)
        #expect(stopped.status == 130 && !stopped.killed, "\(fault): \(stopped.stderr)")
        let summary = FileManager.default.contents(atPath: folder + "/summary.json").flatMap {
            try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
        }
        if fault.hasSuffix("interrupt") {
            #expect(stopped.stderr.contains("stopped by SIGINT after round") && stopped.stderr.contains("--resume"))
            #expect(summary?["ending"] as? String == "interrupted")
            #expect(FileManager.default.fileExists(atPath: folder + "/report.html"))
        } else {
            #expect(summary == nil)  // stopped at once: nothing more written
        }
        let resumed = try Self.murmur(["run", Self.scenarioFile, "--out", folder, "--resume"])
        #expect(resumed.status == 0, "\(fault): \(resumed.stderr)")
        let expected = try Self.reference.get(), got = try Self.outcome(folder)
        #expect(got.lines == expected.lines && got.model == expected.model, "\(fault)")
    }

    /// A sweep killed inside its second run continues, with the same command, to the same runs.
    @Test(arguments: ["round:15", "checkpoint:5"])
    func aSweepKilledMidRunContinuesToTheSameRuns(fault: String) throws {
        let folder = Self.folder(), reference = Self.folder()
        let sweep = ["sweep", Self.scenarioFile, "--grid", "clients.learningRate=0.3,0.6", "--jobs", "1"]
        #expect(try Self.murmur(sweep + ["--out", reference]).status == 0)
        let killed = try Self.murmur(sweep + ["--out", folder], fault: fault)
        #expect(killed.killed, "\(fault): \(killed.stderr)")
        let continued = try Self.murmur(sweep + ["--out", folder])
        #expect(continued.status == 0, "\(continued.stderr)")
        for run in try FileManager.default.contentsOfDirectory(atPath: reference + "/runs") {
            let expected = try Self.outcome(reference + "/runs/" + run), got = try Self.outcome(folder + "/runs/" + run)
            #expect(got.lines == expected.lines && got.model == expected.model, "\(fault): \(run)")
        }
    }
}
