import Federation
import Foundation
import Synchronization

/// The seed model of a scenario with `central.seedStart`: trained centrally before its first round, so
/// a seeded federated run (FL4ASR's "seed model", Azam et al. 2023 §4.2) is one command.
///
/// The seed is a function of what trains it — task, seed, data, model and the `central` section — and
/// nothing the federated rounds change, so it is kept in `<output.directory>/seeds/<key>` and reused by
/// every run that would train the same one, whatever the scenario's name: the variants of a comparison
/// that differ in their server optimizer, and other experiments on the same model, share their seeds.
enum CentralSeed {
    /// The sections of the resolved scenario the seed depends on.
    static let sections = ["task", "seed", "data", "model", "central"]

    /// Held while a seed is looked up or trained, so that the runs of a comparison going at once
    /// (`--jobs`) train a shared seed once: the second waits, then reuses it.
    private static let training = Mutex(())

    /// The folder of `scenario`'s seed model, trained now unless a completed one is already there.
    static func ensure(_ scenario: Scenario, options: RunOptions, reporter: RunReporter) throws -> String {
        try training.withLock { _ in try ensureHoldingLock(scenario, options: options, reporter: reporter) }
    }

    private static func ensureHoldingLock(_ scenario: Scenario, options: RunOptions, reporter: RunReporter) throws -> String {
        let folder = URL(fileURLWithPath: scenario.outputDirectory).appendingPathComponent("seeds")
            .appendingPathComponent(try key(scenario)).path
        let manager = FileManager.default
        if let summary = try? RunSummary.read(from: URL(fileURLWithPath: folder).appendingPathComponent("summary.json")), summary.ending == .completed,
           manager.fileExists(atPath: folder + "/checkpoint.bin") {
            reporter.note("seed model: reusing \(folder)")
            return folder
        }
        // A seed cut short (a kill, Ctrl-C) is trained again from its start: it is deterministic.
        if manager.fileExists(atPath: folder) {
            do { try manager.removeItem(atPath: folder) } catch {
                throw RunError(description: "\(folder): cannot remove the unfinished seed model (\(error.localizedDescription)); remove it by hand")
            }
        }
        var central = options
        central.runFolder = folder
        central.resume = false
        central.stopAfterRound = nil
        let (summary, _) = try CentralTrainingRunner(scenario: scenario, options: central, reporter: reporter).run()
        guard summary.ending == .completed else {
            throw RunError(description: "\(folder): the seed model's central training was stopped at step \(summary.roundsCompleted); "
                + "run the same command again (the seed is trained again from its start)")
        }
        return folder
    }

    /// A short hash of the sections the seed depends on, as resolved (defaults written).
    static func key(_ scenario: Scenario) throws -> String {
        let tree = (try? JSONSerialization.jsonObject(with: scenario.resolvedJSON)) as? [String: Any] ?? [:]
        var picked = tree.filter { sections.contains($0.key) }
        if var model = picked["model"] as? [String: Any] {
            model["initialWeights"] = nil
            picked["model"] = model
        }
        let bytes = try JSONSerialization.data(withJSONObject: picked, options: [.sortedKeys])
        return TrainingCheckpoint.checksum(bytes)
    }
}
