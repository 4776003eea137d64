import Experiments
import Federation
import Foundation
import Kernels
import Synchronization
import Testing

/// The ready scenarios' first rounds, bit for bit, against recorded ones (`Fingerprints/<kernel>.json`).
/// Every figure of a metrics line but wall and CPU time is compared exactly; a single changed bit in
/// training changes the training loss and update norm. The task seam was checked this way against
/// metrics recorded before it (`Fingerprints/history/before-task-seam.json`, commit ff52cde): identical.
///
/// Bits are per binary and GEMM kernel (docs/architecture.md, "Determinism"), so the check runs where a
/// recorded kernel does. A change that alters bits on purpose records new values — run this suite with
/// `MURMUR_RECORD_FINGERPRINTS=1`, which writes the running kernel's file — and says why in its commit.
@Suite(.serialized) struct ReadyScenarioFingerprintTests {
    struct Recorded: Decodable {
        var kernel: String
        var runs: [Run]
    }

    struct Run: Decodable, CustomTestStringConvertible {
        var name: String
        var scenario: String
        var trace: String?
        var variant: String?
        var set: [String]
        var rounds: Int
        var lines: [Line]
        var testDescription: String { name }
    }

    /// The figures of one metrics line that the fingerprint holds.
    struct Line: Codable, Equatable {
        var round: Int
        var learningRate, trainLoss, updateNorm: Double?
        var clientsSampled, clientsFinished, clientsDropped, localSteps, trainingTargets, bytesUp, bytesDown: Int
        var epsilon, clipBound, signalToNoise, simulatedSeconds: Double?
        var validationPerplexity, validationLoss, top1Accuracy, top3Accuracy: Double?
        var survivors: [Int]?
        var peakMemoryMedian: Double?

        init(_ m: RoundMetrics) {
            round = m.round
            (learningRate, trainLoss, updateNorm) = (m.learningRate, m.trainLoss, m.updateNorm)
            (clientsSampled, clientsFinished, clientsDropped) = (m.clientsSampled, m.clientsFinished, m.clientsDropped)
            (localSteps, trainingTargets, bytesUp, bytesDown) = (m.localSteps, m.trainingTargets, m.bytesUp, m.bytesDown)
            (epsilon, clipBound, signalToNoise, simulatedSeconds) = (m.epsilon, m.clipBound, m.signalToNoise, m.simulatedSeconds)
            validationPerplexity = m.metric("validationPerplexity")
            validationLoss = m.metric("validationLoss")
            top1Accuracy = m.metric("top1Accuracy")
            top3Accuracy = m.metric("top3Accuracy")
            survivors = m.secureAggregation?.survivors
            peakMemoryMedian = m.clients?.peakMemoryBytes?.median
        }
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fingerprintURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fingerprints/\(gemmMicroKernelName).json")
    static let recording = ProcessInfo.processInfo.environment["MURMUR_RECORD_FINGERPRINTS"] == "1"
    static let recorded: Recorded? = {
        if recording, let template = try? Data(contentsOf: fingerprintURL.deletingLastPathComponent()
            .appendingPathComponent("runs.json")) { return try? JSONDecoder().decode(Recorded.self, from: template) }
        return (try? Data(contentsOf: fingerprintURL)).flatMap { try? JSONDecoder().decode(Recorded.self, from: $0) }
    }()
    static let recordedLines = Mutex<[String: [Line]]>([:])

    /// The scenario of a recorded run, as `murmur run`, `replay` or `compare` would build it.
    static func scenario(_ run: Run) throws -> Scenario {
        let file = repository.appendingPathComponent(run.scenario).path
        if let variant = run.variant {
            let plan = try ExperimentPlan.comparison(scenarioFile: file, vary: nil, repeats: nil, overrides: run.set)
            let index = try #require(plan.variants.firstIndex { $0.label == variant })
            return try #require(try plan.scenarios().enumerated().first { plan.runs[$0.offset].variant == index }?.element)
        }
        var overrides = run.set
        if let trace = run.trace {
            let path = repository.appendingPathComponent(trace).path
            overrides = ["devices.classes=null", "devices.timeZones=null", "devices.trace=\"\(path)\""] + overrides
        }
        return try Scenario(contentsOf: file, overrides: overrides)
    }

    @Test(.enabled(if: recording || recorded?.kernel == gemmMicroKernelName,
                   "no fingerprints are recorded for the \(gemmMicroKernelName) kernel"),
          arguments: recorded?.runs ?? [])
    func firstRoundsAreBitIdenticalToTheRecordedOnes(run: Run) throws {
        var options = RunOptions()
        options.runFolder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-fp-\(UUID().uuidString)").path
        options.stopAfterRound = run.rounds
        options.threads = 2
        let (_, folder) = try ScenarioRunner(scenario: try Self.scenario(run), options: options, reporter: .silent).run()
        let lines = try RoundMetrics.read(from: URL(fileURLWithPath: folder).appendingPathComponent("metrics.jsonl")).map(Line.init)
        try? FileManager.default.removeItem(atPath: folder)
        if Self.recording {
            try Self.record(run, lines)
            return
        }
        #expect(lines.count == run.lines.count)
        for (got, expected) in zip(lines, run.lines) {
            #expect(got == expected, "round \(expected.round)")
        }
    }

    /// Writes the running kernel's fingerprint file once every run of `runs.json` has its lines.
    static func record(_ run: Run, _ lines: [Line]) throws {
        let all = recordedLines.withLock { recorded -> [String: [Line]] in
            recorded[run.name] = lines
            return recorded
        }
        guard let template = recorded, all.count == template.runs.count else { return }
        var file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: fingerprintURL.deletingLastPathComponent()
            .appendingPathComponent("runs.json"))) as? [String: Any])
        file["kernel"] = gemmMicroKernelName
        let encoder = JSONEncoder()
        var runs: [[String: Any]] = []
        for var entry in file["runs"] as? [[String: Any]] ?? [] {
            let name = entry["name"] as? String ?? ""
            entry["lines"] = try JSONSerialization.jsonObject(with: encoder.encode(all[name] ?? []))
            runs.append(entry)
        }
        file["runs"] = runs
        try JSONSerialization.data(withJSONObject: file, options: [.prettyPrinted, .sortedKeys]).write(to: fingerprintURL)
    }
}
