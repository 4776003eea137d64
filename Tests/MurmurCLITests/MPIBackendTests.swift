import Foundation
import Testing

#if MPI
/// `mpirun -np P murmur run … --backend mpi` gives the one-process run bit for bit: for P = 1, 2 and 3
/// every metrics line (but its wall time) and the final checkpoint's vectors equal those of a plain
/// `murmur run`, with differential privacy (clipping, noise, the accountant), with SecAgg+, and with
/// SecAgg+ under DP; a rank killed mid-run ends the job, leaving the last checkpoint for `--resume`
/// (under mpirun again), which then finishes the same run; and a stop asked of rank 0 or of another
/// rank (SIGINT, as Ctrl-C sends) ends every rank at one round boundary with rank 0's checkpoint,
/// summary and exit status 130, and `--resume` finishes the same run.
///
/// Needs Open MPI's `mpirun` (CI installs it, `.ci/run`); run with `swift test -c release --traits MPI
/// --filter MPIBackendTests`.
@Suite(.serialized) struct MPIBackendTests {
    static let binary = CrashSafetyTests.binary

    static let privateScenario = #"""
        {"name": "mpi", "seed": 5, "rounds": 6,
         "data": {"source": "synthetic", "users": 400, "validationUsers": 20, "vocabularySize": 200},
         "model": {"kind": "lstm", "embeddingSize": 8, "hiddenSize": 16},
         "clients": {"sampling": "poisson", "samplingRate": 0.04, "learningRate": 0.5},
         "server": {"optimizer": "fedadam", "learningRate": 0.05},
         "privacy": {"epsilon": 20, "delta": 1e-5, "clipBound": 1, "accountant": "rdp"},
         "evaluation": {"every": 2, "users": 20}, "output": {"checkpointEvery": 2, "tensorNorms": true}}
        """#

    /// SecAgg+ with dropouts (a fifth of the clients, spread over the steps: before and after training).
    static let secureScenario = #"""
        {"name": "mpi-secure", "seed": 6, "rounds": 3,
         "data": {"source": "synthetic", "users": 200, "validationUsers": 20, "vocabularySize": 100},
         "model": {"kind": "lstm", "embeddingSize": 8, "hiddenSize": 8},
         "clients": {"cohortSize": 10, "learningRate": 0.5},
         "secureAggregation": {"protocol": "secaggplus", "clipBound": 1, "bits": 24, "dropoutRate": 0.2},
         "evaluation": {"every": 3, "users": 20}, "output": {"checkpointEvery": 3}}
        """#

    /// SecAgg+ under central DP (clipping, noise on the ring sum's decoded value, the accountant).
    static let securePrivateScenario = #"""
        {"name": "mpi-secure-dp", "seed": 7, "rounds": 3,
         "data": {"source": "synthetic", "users": 300, "validationUsers": 20, "vocabularySize": 100},
         "model": {"kind": "lstm", "embeddingSize": 8, "hiddenSize": 8},
         "clients": {"sampling": "poisson", "samplingRate": 0.04, "learningRate": 0.5},
         "privacy": {"epsilon": 30, "delta": 1e-5, "clipBound": 1, "accountant": "rdp"},
         "secureAggregation": {"protocol": "secaggplus", "bits": 32},
         "evaluation": {"every": 3, "users": 20}, "output": {"checkpointEvery": 3}}
        """#

    /// `mpirun`, from PATH or Open MPI's usual place.
    static let mpirun: String = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return (path.split(separator: ":").map { "\($0)/mpirun" } + ["/usr/bin/mpirun"])
            .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "mpirun"
    }()

    static func write(_ scenario: String) throws -> String {
        let path = CrashSafetyTests.folder() + ".json"
        try Data(scenario.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs `executable ARGUMENTS`; returns its exit status and standard error.
    static func launch(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stderr)
    }

    /// What must not change: every metrics line without the measured times (wall time, secure
    /// aggregation's CPU seconds — keys naming "Seconds"; these scenarios have no simulated time), and
    /// the final checkpoint's vectors.
    static func outcome(_ folder: String) throws -> (lines: [String], model: Data) {
        func strip(_ value: Any) -> Any {
            guard let object = value as? [String: Any] else { return value }
            return object.filter { !$0.key.contains("Seconds") }.mapValues(strip)
        }
        let text = try String(contentsOfFile: folder + "/metrics.jsonl", encoding: .utf8)
        let lines = try text.split(separator: "\n").map { line -> String in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return String(decoding: try JSONSerialization.data(withJSONObject: strip(object), options: .sortedKeys), as: UTF8.self)
        }
        return (lines, try CrashSafetyTests.outcome(folder).model)
    }

    static let mpirunOptions = ["--allow-run-as-root", "--oversubscribe", "--mca", "btl", "self,vader,tcp"]

    /// `mpirun -np ranks murmur run SCENARIO --out FOLDER --backend mpi` (plus `extra`).
    static func mpiRun(ranks: Int, scenario: String, folder: String, extra: [String] = []) throws -> (status: Int32, stderr: String) {
        try launch(mpirun, mpirunOptions + ["-np", "\(ranks)", binary, "run", scenario, "--out", folder, "--backend", "mpi",
                                            "--threads", "1"] + extra)
    }

    @Test(arguments: [privateScenario, secureScenario, securePrivateScenario])
    func everyRankCountGivesTheOneProcessRun(scenarioText: String) throws {
        let scenario = try Self.write(scenarioText)
        let reference = CrashSafetyTests.folder()
        let single = try Self.launch(Self.binary, ["run", scenario, "--out", reference, "--threads", "2"])
        try #require(single.status == 0, "\(single.stderr)")
        let expected = try Self.outcome(reference)
        #expect(expected.lines.count >= 3)
        for ranks in 1...3 {
            let folder = CrashSafetyTests.folder()
            let run = try Self.mpiRun(ranks: ranks, scenario: scenario, folder: folder)
            try #require(run.status == 0, "mpirun -np \(ranks): \(run.stderr)")
            let outcome = try Self.outcome(folder)
            #expect(outcome.lines == expected.lines, "metrics differ with \(ranks) ranks")
            #expect(outcome.model == expected.model, "the final model differs with \(ranks) ranks")
        }
    }

    @Test func aRankThatDiesEndsTheJobAndTheRunResumes() throws {
        let scenario = try Self.write(Self.privateScenario)
        let reference = CrashSafetyTests.folder()
        try #require(try Self.launch(Self.binary, ["run", scenario, "--out", reference, "--threads", "2"]).status == 0)
        let folder = CrashSafetyTests.folder()
        // Rank 1 is killed (SIGKILL) after training round 5; rank 0 has checkpointed round 4.
        let command = ["run", scenario, "--out", folder, "--backend", "mpi", "--threads", "1"]
        let killed = try Self.launch(Self.mpirun, Self.mpirunOptions + ["-np", "1", Self.binary] + command
                                         + [":", "-np", "1", "-x", "MURMUR_FAULT=round:5", Self.binary] + command)
        #expect(killed.status != 0)
        // mpirun's own line names the rank that died.
        #expect(killed.stderr.contains("process rank 1") && killed.stderr.contains("signal 9"), "\(killed.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/checkpoint.bin"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/summary.json"))
        let resumed = try Self.mpiRun(ranks: 2, scenario: scenario, folder: folder, extra: ["--resume"])
        try #require(resumed.status == 0, "\(resumed.stderr)")
        let outcome = try Self.outcome(folder), expected = try Self.outcome(reference)
        #expect(outcome.lines == expected.lines)
        #expect(outcome.model == expected.model)
    }

    /// SIGINT to one rank (`MURMUR_FAULT=round:2:interrupt`, sent by the rank to itself after training
    /// round 2, as a terminal's Ctrl-C would): rank 0 itself, or rank 1, whose stop every rank learns in
    /// a later round's first collective. Either way the job exits 130 at one round boundary before the
    /// last with rank 0's checkpoint, report and an interrupted summary, and `--resume` (which fails if
    /// the ranks had stopped at different rounds) finishes the uninterrupted run.
    @Test(arguments: [0, 1])
    func aStopAskedOfOneRankEndsEveryRankAtOneRoundBoundary(rank: Int) throws {
        let scenario = try Self.write(Self.privateScenario)
        let reference = CrashSafetyTests.folder()
        try #require(try Self.launch(Self.binary, ["run", scenario, "--out", reference, "--threads", "2"]).status == 0)
        let folder = CrashSafetyTests.folder()
        let command = ["run", scenario, "--out", folder, "--backend", "mpi", "--threads", "1"]
        let plain = ["-np", "1", Self.binary] + command
        let faulty = ["-np", "1", "-x", "MURMUR_FAULT=round:2:interrupt", Self.binary] + command
        let stopped = try Self.launch(Self.mpirun, Self.mpirunOptions + (rank == 0 ? faulty + [":"] + plain : plain + [":"] + faulty))
        #expect(stopped.status == 130, "\(stopped.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/summary.json"))) as? [String: Any]
        #expect(summary?["ending"] as? String == "interrupted")
        // After the round in flight when the signal is handled: round 2 or a later one, never the last.
        let rounds = summary?["roundsCompleted"] as? Int ?? 0
        #expect(rounds >= 2 && rounds < 6, "stopped after round \(rounds)")
        #expect(stopped.stderr.contains("stopped by SIGINT after round") && stopped.stderr.contains("--resume"))
        #expect(FileManager.default.fileExists(atPath: folder + "/report.html"))
        let resumed = try Self.mpiRun(ranks: 2, scenario: scenario, folder: folder, extra: ["--resume"])
        try #require(resumed.status == 0, "\(resumed.stderr)")
        let outcome = try Self.outcome(folder), expected = try Self.outcome(reference)
        #expect(outcome.lines == expected.lines)
        #expect(outcome.model == expected.model)
    }
}
#else
/// A build without the trait MPI refuses `--backend mpi` with a line saying how to get it.
@Suite struct MPIBackendTests {
    @Test func aBuildWithoutMPISaysHowToGetIt() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CrashSafetyTests.binary)
        process.arguments = ["run", "--backend", "mpi", "--out", CrashSafetyTests.folder()]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(stderr.contains("built without MPI") && stderr.contains("--traits MPI"))
    }
}
#endif
