import Federation
import Foundation

/// A run's folder on disk: which folder a run uses, what it holds, and the writes a run makes into it
/// (docs/formats.md, "Run output").
///
/// `scenario.json`, `checkpoint.bin`, `summary.json` and `report.html` are written to a temporary name
/// and renamed, so an interrupted run loses nothing it had written; `metrics.jsonl` is appended and
/// flushed a line at a time, and cut back to the last checkpoint's length on `--resume`.
package struct RunFolder: Sendable {
    package let path: String

    package var url: URL { URL(fileURLWithPath: path) }
    package var scenarioURL: URL { url.appendingPathComponent("scenario.json") }
    package var metricsURL: URL { url.appendingPathComponent("metrics.jsonl") }
    package var checkpointURL: URL { url.appendingPathComponent("checkpoint.bin") }
    package var summaryURL: URL { url.appendingPathComponent("summary.json") }

    /// The folder `options` ask for: `--out` as given, otherwise the default (`<output.directory>/<name>`),
    /// numbered `-2`, `-3`, … when taken. To resume, it must hold a checkpoint.
    package static func choose(_ options: RunOptions, scenario: Scenario) throws -> RunFolder {
        let base = options.runFolder ?? options.defaultRunFolder
            ?? URL(fileURLWithPath: scenario.outputDirectory).appendingPathComponent(scenario.name).path
        let manager = FileManager.default
        if options.resume {
            guard manager.fileExists(atPath: base + "/checkpoint.bin") else {
                throw RunError(description: "\(base): nothing to resume (no checkpoint.bin; the run stopped before "
                    + "its first checkpoint, or never started); run it again without --resume")
            }
            return RunFolder(path: base)
        }
        func isFree(_ path: String) -> Bool {
            !manager.fileExists(atPath: path) || ((try? manager.contentsOfDirectory(atPath: path))?.isEmpty ?? false)
        }
        if isFree(base) { return RunFolder(path: base) }
        if options.runFolder != nil {
            let holdsRun = ["scenario.json", "metrics.jsonl", "checkpoint.bin"].contains { manager.fileExists(atPath: base + "/" + $0) }
            if holdsRun {
                throw RunError(description: "\(base): already holds a run; choose another --out, or add --resume to continue it")
            }
            let files = ((try? manager.contentsOfDirectory(atPath: base)) ?? []).sorted()
            throw RunError(description: "\(base): holds other files (\(files.prefix(3).joined(separator: ", "))"
                + (files.count > 3 ? ", …" : "") + "), not a run; --out names a new or empty folder, e.g. --out \(base)/"
                + scenario.name)
        }
        var suffix = 2
        while !isFree("\(base)-\(suffix)") { suffix += 1 }
        return RunFolder(path: "\(base)-\(suffix)")
    }

    /// Starts a new run: the folder, its resolved `scenario.json` and an empty `metrics.jsonl`.
    package func create(resolvedScenario: Data) throws -> MetricsLog {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try resolvedScenario.write(to: scenarioURL, options: .atomic)
        try RunBuildRecord.current.write(to: url.appendingPathComponent(RunBuildRecord.fileName), options: .atomic)
        try Data().write(to: metricsURL, options: .atomic)
        return try MetricsLog(url: metricsURL)
    }

    /// The checkpoint to continue from, checked to belong to a run of `scenarioText`, with
    /// `metrics.jsonl` cut back to the lines it covers.
    package func resume(scenarioText: String) throws -> (checkpoint: TrainingCheckpoint, metrics: MetricsLog) {
        let checkpoint = try TrainingCheckpoint.read(from: checkpointURL)
        guard let record = checkpoint.run, record.scenario == scenarioText else {
            throw RunError(description: "\(path): the scenario differs from the one this run was started with "
                + "(see \(path)/scenario.json); resume with the same scenario and --set values")
        }
        let handle = try FileHandle(forWritingTo: metricsURL)
        defer { try? handle.close() }
        try handle.truncate(atOffset: UInt64(record.metricsBytes))
        return (checkpoint, try MetricsLog(url: metricsURL))
    }

    /// The summary of the run in this folder when it has finished and was run with exactly `resolvedScenario`
    /// (so `--resume` has nothing to do); nil otherwise.
    package func finishedSummary(resolvedScenario: Data) -> RunSummary? {
        guard FileManager.default.fileExists(atPath: summaryURL.path),
              FileManager.default.contents(atPath: scenarioURL.path) == resolvedScenario else { return nil }
        return try? RunSummary.read(from: summaryURL)
    }

    /// Writes the round's checkpoint, recording the scenario and how much of the metrics it covers.
    package func writeCheckpoint(_ state: TrainingCheckpoint, scenarioText: String, metrics: MetricsLog) throws {
        var checkpoint = state
        checkpoint.run = TrainingCheckpoint.RunRecord(scenario: scenarioText, metricsBytes: Int(try metrics.offset()))
        try checkpoint.write(to: checkpointURL)
    }

    /// Writes `summary.json` and `report.html`: the run's end.
    package func finish(with summary: RunSummary) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(summary).write(to: summaryURL, options: .atomic)
        try RunReport.write(folder: path)
    }
}

/// `metrics.jsonl`, open for appending: each line is written and flushed to disk before the next
/// round starts, so a crash loses at most the round in flight.
package final class MetricsLog {
    private let handle: FileHandle

    init(url: URL) throws {
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    /// Appends one round's line.
    package func append(_ line: RoundMetrics) throws {
        try handle.write(contentsOf: Data((line.jsonLine + "\n").utf8))
        try handle.synchronize()
    }

    /// Bytes written so far.
    package func offset() throws -> UInt64 { try handle.offset() }
}
