import Foundation

/// A run's metrics as a TensorBoard event file in its folder (`events.out.tfevents.murmur`): every numeric key
/// of each metrics.jsonl line as a scalar at step = round, nested keys joined with "/" (`clients/peakBytes`).
///
/// `tensorboard --logdir runs/` then shows each run folder as one run, and a sweep's folder one run per
/// variant (its `runs/<variant>/`). Written whole from metrics.jsonl (`murmur report --tensorboard`), or
/// opened at a run's start and appended to after each round (`output.tensorboard`); a resumed run rewrites it
/// from the metrics it kept, so the file never holds a round twice. Wall time is the run's start (the
/// folder's scenario.json date) plus the rounds' wall seconds so far.
package final class TensorBoardLog {
    package static let fileName = "events.out.tfevents.murmur"
    private let handle: FileHandle
    private var wallTime: Double

    /// Starts the run folder's event file afresh with the lines it has so far.
    package init(runFolder: String, lines: [RoundMetrics]) throws {
        let folder = URL(fileURLWithPath: runFolder)
        let url = folder.appendingPathComponent(Self.fileName)
        let started = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("scenario.json").path))?[
            .modificationDate] as? Date
        wallTime = started?.timeIntervalSince1970 ?? 0
        var bytes = TensorBoardEvents.record(TensorBoardEvents.versionEvent(wallTime: wallTime))
        for line in lines { bytes += Self.event(line, wallTime: &wallTime) }
        do {
            try Data(bytes).write(to: url, options: .atomic)
            handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
        } catch {
            throw RunError(description: "\(url.path): cannot be written (\(error.localizedDescription))")
        }
    }

    deinit { try? handle.close() }

    /// Appends one round's event.
    package func append(_ line: RoundMetrics) throws {
        do { try handle.write(contentsOf: Data(Self.event(line, wallTime: &wallTime))) } catch {
            throw RunError(description: "\(Self.fileName): cannot be written (\(error.localizedDescription))")
        }
    }

    /// Writes the event file of a run folder from its metrics.jsonl; returns its path.
    @discardableResult
    package static func write(runFolder: String) throws -> String {
        let metrics = URL(fileURLWithPath: runFolder).appendingPathComponent("metrics.jsonl")
        _ = try TensorBoardLog(runFolder: runFolder, lines: try RoundMetrics.read(from: metrics))
        return URL(fileURLWithPath: runFolder).appendingPathComponent(fileName).path
    }

    /// Writes one event file per run of an experiment (sweep or compare) folder; returns their paths.
    package static func write(experimentFolder: String) throws -> [String] {
        let results = try ExperimentResults.load(folder: experimentFolder)
        return try results.records.map { record in
            try write(runFolder: URL(fileURLWithPath: experimentFolder).appendingPathComponent("runs")
                .appendingPathComponent(record.run.folder).path)
        }
    }

    /// The record of one metrics line, advancing `wallTime` by its round's wall seconds.
    static func event(_ line: RoundMetrics, wallTime: inout Double) -> [UInt8] {
        wallTime += line.wallSeconds
        return TensorBoardEvents.record(TensorBoardEvents.scalarEvent(step: line.round, wallTime: wallTime,
                                                                      scalars: scalars(line)))
    }

    /// Every finite numeric leaf of the line's JSON but `round`, tags sorted.
    package static func scalars(_ line: RoundMetrics) -> [(tag: String, value: Double)] {
        guard let tree = (try? JSONSerialization.jsonObject(with: Data(line.jsonLine.utf8))) as? [String: Any] else { return [] }
        var result: [(String, Double)] = []
        func visit(_ value: Any, _ tag: String) {
            if let object = value as? [String: Any] {
                for key in object.keys.sorted() { visit(object[key]!, tag.isEmpty ? key : tag + "/" + key) }
            } else if let number = value as? NSNumber, String(cString: number.objCType) != "c", number.doubleValue.isFinite {
                result.append((tag, number.doubleValue))
            }
        }
        visit(tree, "")
        return result.filter { $0.0 != "round" }
    }
}
