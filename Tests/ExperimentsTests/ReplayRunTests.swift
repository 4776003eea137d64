import Experiments
import Federation
import Foundation
import Testing

/// Runs in simulated time on a trace: deterministic on 1 or 2 threads and after a resume, with the
/// devices' fates in the metrics and summary, and secure aggregation fed the devices' dropouts.
@Suite struct ReplayRunTests {
    /// 30 generated clients over one day plus two slow watches that are always on (and always late).
    static func traceFile() throws -> String {
        var trace = TraceGenerator.generate(mix: DeviceMix(profiles: DeviceProfiles.standard, weights: [1, 1, 1, 0, 1, 1]),
                                            clients: 30, days: 1, seed: 2)
        for index in 0..<2 {
            trace.clients.append(.init(id: "slow\(index)", profile: DeviceProfiles.standardByName["watch"]!, timeZoneHours: 0,
                                       availability: ClientAvailability(windows: [TimeWindow(start: 0, end: 86_400)])))
        }
        let path = ScenarioRunnerTests.folder() + ".jsonl"
        try Data(trace.jsonLines(profiles: DeviceProfiles.standardByName).utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func json(trace: String, extra: String = "") -> String {
        """
        {"name": "replay", "seed": 5, "rounds": 6,
         "data": {"users": 40, "validationUsers": 10, "vocabularySize": 50},
         "model": {"embeddingSize": 8, "hiddenSize": 16},
         "clients": {"cohortSize": 4, "learningRate": 0.5},
         "devices": {"trace": "\(trace)", "overSelection": 2, "deadlineSeconds": 120, "selectionSeconds": 30},
         "evaluation": {"every": 2, "targetPerplexity": 1000}, "output": {"checkpointEvery": 2}\(extra)}
        """
    }

    @Test func aReplayIsDeterministicOnEitherThreadCountAndAfterAResume() throws {
        let trace = try Self.traceFile(), text = Self.json(trace: trace)
        let one = ScenarioRunnerTests.folder(), two = ScenarioRunnerTests.folder()
        let summary = try ScenarioRunnerTests.run(text, threads: 1, folder: one)
        _ = try ScenarioRunnerTests.run(text, threads: 2, stopAfter: 3, folder: two)
        _ = try ScenarioRunnerTests.run(text, threads: 2, resume: true, folder: two)
        let lines = try ScenarioRunnerTests.metrics(one)
        #expect(try ScenarioRunnerTests.metrics(two) == lines)

        let rounds = lines.filter { $0.round > 0 }
        var clock = 0.0
        for line in rounds {
            let devices = try #require(line.devices)
            let counts = devices.classes.values
            #expect(counts.reduce(0) { $0 + $1.selected } == line.clientsSampled)
            #expect(counts.reduce(0) { $0 + $1.reported } == line.clientsFinished)
            #expect(line.clientsFinished <= 4 && line.clientsSampled <= 8)
            #expect(line.clientsSampled - line.clientsFinished == line.clientsDropped)
            #expect(line.simulatedSeconds! >= clock + 30)  // selection time, then the tasks
            #expect(line.simulatedSeconds! - clock == devices.roundSimulatedSeconds)
            clock = line.simulatedSeconds!
            #expect(devices.classes["watch"].map { $0.reported == 0 } ?? true)  // watches are never among the first 4
        }
        let devices = try #require(summary.devices)
        #expect(devices.simulatedSeconds == clock)
        #expect(devices.classes["watch"]?.fleetClients == 2 && devices.classes["watch"]?.shareOfTrainingData == 0)
        #expect(abs(devices.classes.values.reduce(0) { $0 + $1.shareOfTrainingData } - 1) < 1e-12)
        #expect(abs(devices.classes.values.reduce(0) { $0 + $1.fleetShare } - 1) < 1e-12)
        let target = try #require(summary.timeToTarget)
        #expect(target.round == 2 && target.simulatedHours == lines[2].simulatedSeconds! / 3600)
    }

    /// Half the 8 selected report (the rest are late or slow): each survivor's secret is then held by 3
    /// other survivors, so a threshold of ⌊0.3 · 7⌋ + 1 = 3 shares recovers it (0.5 would need 4 and fail).
    @Test func secureAggregationSeesExactlyTheDevicesThatReported() throws {
        let trace = try Self.traceFile()
        let folder = ScenarioRunnerTests.folder()
        _ = try ScenarioRunnerTests.run(Self.json(trace: trace, extra: #", "secureAggregation": {"bits": 32, "clipBound": 1, "thresholdFraction": 0.3}"#), folder: folder)
        for line in try ScenarioRunnerTests.metrics(folder) where line.round > 0 {
            let secure = try #require(line.secureAggregation), devices = try #require(line.devices)
            let reported = devices.classes.values.reduce(0) { $0 + $1.reported }
            #expect(secure.survivors.last == reported && line.clientsFinished == reported)
            let refused = devices.classes.values.reduce(0) { $0 + $1.droppedForMemory }
            #expect(secure.survivors.first == line.clientsSampled - refused)
        }
    }

    @Test func aTraceWithMoreClientsThanUsersOrAMissingFileIsRefused() throws {
        let trace = try Self.traceFile()
        let tooFew = Self.json(trace: trace).replacingOccurrences(of: #""users": 40"#, with: #""users": 20"#)
        #expect(ScenarioTests.error(tooFew)?.hasPrefix("s.json: devices.trace: \(trace) has 32 clients, more than the population") == true)
        #expect(ScenarioTests.error(Self.json(trace: "/no/trace.jsonl"))
            == "s.json: devices.trace: /no/trace.jsonl: no such trace file (traces are JSONL files, e.g. clients/traces/sample.jsonl)")
        let poisson = Self.json(trace: trace).replacingOccurrences(of: #""cohortSize": 4"#, with: #""sampling": "poisson""#)
        #expect(ScenarioTests.error(poisson)?.hasPrefix("s.json: devices: needs clients.sampling fixed") == true)
        #expect(ScenarioTests.error(#"{"devices": {"classes": {"wach": 1}}}"#)?.hasPrefix("s.json: devices.classes.wach: did you mean 'watch'?") == true)
    }
}
