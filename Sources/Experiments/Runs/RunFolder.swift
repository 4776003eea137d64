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

    /// Whether the folder holds a checkpoint to continue from.
    package var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpointURL.path) }

    /// The folder `options` ask for: `--out` as given, otherwise the default (`<output.directory>/<name>`),
    /// numbered `-2`, `-3`, … when taken. To resume, it must hold a checkpoint.
    package static func choose(_ options: RunOptions, scenario: Scenario) throws -> RunFolder {
        let base = options.runFolder ?? options.defaultRunFolder
            ?? URL(fileURLWithPath: scenario.outputDirectory).appendingPathComponent(scenario.name).path
        let manager = FileManager.default
        if options.resume {
            // A run that died before its first checkpoint was written has nothing to continue from, but
            // its folder is its own: `--resume` starts it again there.
            guard manager.fileExists(atPath: base + "/checkpoint.bin") || manager.fileExists(atPath: base + "/scenario.json") else {
                throw RunError(description: "\(base): nothing to resume (no checkpoint.bin; the run never started "
                    + "there); run it without --resume")
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
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw Self.failure(writing: url, error, resumable: false)
        }
        try Self.writeAtomically(resolvedScenario, to: scenarioURL, resumable: false)
        try Self.writeAtomically(RunBuildRecord.current, to: url.appendingPathComponent(RunBuildRecord.fileName), resumable: false)
        try Self.writeAtomically(Data(), to: metricsURL, resumable: false)
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
        // An interrupted run's summary is not its end: `--resume` continues it.
        guard let summary = try? RunSummary.read(from: summaryURL), summary.ending.isFinal else { return nil }
        return summary
    }

    /// Writes the round's checkpoint, recording the scenario and how much of the metrics it covers.
    package func writeCheckpoint(_ state: TrainingCheckpoint, scenarioText: String, metrics: MetricsLog) throws {
        var checkpoint = state
        checkpoint.run = TrainingCheckpoint.RunRecord(scenario: scenarioText, metricsBytes: Int(try metrics.offset()))
        try Self.writeAtomically(try checkpoint.encoded(), to: checkpointURL, faultPoint: .checkpoint)
    }

    /// Writes `summary.json` and `report.html`: the run's end.
    package func finish(with summary: RunSummary) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try Self.writeAtomically(try encoder.encode(summary), to: summaryURL, faultPoint: .summary)
        do { try RunReport.write(folder: path) } catch let error as RunError { throw error } catch {
            throw Self.failure(writing: url.appendingPathComponent("report.html"), error)
        }
    }

    /// Writes `data` to a temporary file beside `target` and renames it into place (POSIX rename is
    /// atomic), so a crash at any moment leaves either the old file or the new one, never half of one.
    static func writeAtomically(_ data: Data, to target: URL, faultPoint: FaultInjection.Point? = nil,
                                resumable: Bool = true) throws {
        let temporary = target.deletingLastPathComponent().appendingPathComponent("." + target.lastPathComponent + ".partial")
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
            }
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            let half = data.count / 2
            try handle.write(contentsOf: data.prefix(half))
            if let faultPoint { try FaultInjection.reach(faultPoint, writing: target) }
            try handle.write(contentsOf: data.dropFirst(half))
            try handle.synchronize()
            guard rename(temporary.path, target.path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw failure(writing: target, error, resumable: resumable)
        }
    }

    /// A failed write as one line: the path, what went wrong in words (not Foundation's dump), and what
    /// to do; what was written before stays as it was.
    static func failure(writing target: URL, _ error: any Error, resumable: Bool = true) -> RunError {
        let reason: String
        switch error {
        case let cocoa as CocoaError where cocoa.code == .fileWriteOutOfSpace: reason = "no space left on the device"
        case let cocoa as CocoaError where cocoa.code == .fileWriteNoPermission: reason = "permission denied"
        case let cocoa as CocoaError where cocoa.code == .fileWriteVolumeReadOnly: reason = "the file system is read-only"
        case let posix as POSIXError where posix.code == .ENOSPC: reason = "no space left on the device"
        case let posix as POSIXError where posix.code == .EACCES || posix.code == .EPERM: reason = "permission denied"
        case let posix as POSIXError where posix.code == .EROFS: reason = "the file system is read-only"
        case let cocoa as CocoaError:
            reason = (cocoa.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription ?? "write error \(cocoa.code.rawValue)"
        default: reason = "\(error)"
        }
        let advice = resumable
            ? "free space or fix the folder, then run the same command with --resume: it continues from the last checkpoint, and nothing written before is lost"
            : "choose a folder that can be written (--out) or free space"
        return RunError(description: "\(target.path): cannot be written (\(reason)); \(advice)")
    }
}

/// `metrics.jsonl`, open for appending: each line is written and flushed to disk before the next
/// round starts, so a crash loses at most the round in flight (a half-written last line is cut away by
/// `--resume`, which truncates to the last checkpoint's length).
package final class MetricsLog {
    private let url: URL
    private let handle: FileHandle
    /// Where each line is also written as a TensorBoard event (`output.tensorboard`), if anywhere.
    package var tensorBoard: TensorBoardLog?

    init(url: URL) throws {
        self.url = url
        do {
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw RunFolder.failure(writing: url, error)
        }
    }

    deinit { try? handle.close() }

    /// Appends one round's line.
    package func append(_ line: RoundMetrics) throws {
        let data = Data((line.jsonLine + "\n").utf8)
        do {
            try handle.write(contentsOf: data.prefix(data.count / 2))
            try FaultInjection.reach(.metrics, writing: url)
            try handle.write(contentsOf: data.dropFirst(data.count / 2))
            try handle.synchronize()
        } catch {
            throw RunFolder.failure(writing: url, error)
        }
        try tensorBoard?.append(line)
    }

    /// Bytes written so far.
    package func offset() throws -> UInt64 { try handle.offset() }
}
