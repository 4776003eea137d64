import Foundation
import Synchronization

/// How to run an experiment: where, on how many threads, and how many runs at once.
package struct ExperimentOptions: Sendable {
    /// The experiment folder; by default `<output.directory>/<name>-sweep` (or `-compare`).
    package var folder: String?
    /// Threads in all; each of the `jobs` concurrent runs gets `threads / jobs` of them.
    package var threads = 2
    package var jobs = 1
    /// Tests of resume: stop run `run` after `round` rounds and start nothing after it, as if interrupted.
    package var interruptAt: (run: Int, round: Int)?
    /// Set by SIGINT / SIGTERM: the runs in flight stop at their next round boundary (with checkpoint,
    /// summary and report) and no further run starts.
    package var interruption: RunInterruption?

    package init() {}
}

/// What an invocation did: which runs it found finished, which it resumed and which it started.
package struct ExperimentOutcome: Sendable, Equatable {
    package var folder: String
    package var skipped: [Int] = []
    package var resumed: [Int] = []
    package var started: [Int] = []
    /// Whether every run of the plan has finished.
    package var complete: Bool = false
}

/// Runs an `ExperimentPlan` into one folder: `experiment.json` (the plan), `runs/<variant>_r<k>/` (one
/// ordinary run folder each), then `table.csv`, `table.md` and `report.html` over the finished runs.
///
/// Repeating the same command continues an interrupted experiment: finished runs (with a final
/// summary.json) are kept as they are, an interrupted run resumes from its checkpoint, and a run that stopped before
/// its first checkpoint starts again. Runs are deterministic, so the tables do not depend on where the
/// experiment was interrupted, nor on how many runs went at once.
package final class ExperimentRunner: Sendable {
    package let plan: ExperimentPlan
    package let options: ExperimentOptions
    private let isTerminal: Bool
    private let write: @Sendable (String) -> Void

    package init(plan: ExperimentPlan, options: ExperimentOptions, isTerminal: Bool = false,
                 write: @escaping @Sendable (String) -> Void) {
        self.plan = plan
        self.options = options
        self.isTerminal = isTerminal
        self.write = write
    }

    private var command: String { plan.kind == .sweep ? "murmur sweep" : "murmur compare" }

    /// Runs what is left of the plan, then writes the tables and the report.
    @discardableResult
    package func run() throws -> ExperimentOutcome {
        let scenarios = try plan.scenarios()
        let folder = options.folder ?? URL(fileURLWithPath: scenarios[0].outputDirectory)
            .appendingPathComponent("\(scenarios[0].name)-\(plan.kind == .sweep ? "sweep" : "compare")").path
        try prepare(folder)
        var outcome = ExperimentOutcome(folder: folder)
        var pending: [(index: Int, resume: Bool)] = []
        let manager = FileManager.default
        for (index, run) in plan.runs.enumerated() {
            let runFolder = folder + "/runs/" + run.folder
            if Self.isFinished(runFolder) {
                outcome.skipped.append(index)
            } else if manager.fileExists(atPath: runFolder + "/checkpoint.bin") {
                pending.append((index, true))
            } else {
                if manager.fileExists(atPath: runFolder) { try manager.removeItem(atPath: runFolder) }  // stopped before any checkpoint
                pending.append((index, false))
            }
        }
        let total = plan.runs.count
        write("\(command): \(total) runs (\(plan.variants.count) variants × \(plan.repeats) repeats) in \(folder); "
            + (outcome.skipped.isEmpty ? "" : "\(outcome.skipped.count) already finished, ") + "\(pending.count) to run")
        if let interrupt = options.interruptAt { pending = pending.filter { $0.index <= interrupt.run } }

        let queue = pending, jobs = max(1, min(options.jobs, pending.count))
        let next = Mutex(0)
        let failures = Mutex<[(Int, any Error)]>([])
        DispatchQueue.concurrentPerform(iterations: jobs) { _ in
            while true {
                let slot = next.withLock { value -> Int in
                    defer { value += 1 }
                    return value
                }
                guard slot < queue.count, failures.withLock({ $0.isEmpty }), options.interruption?.isRequested != true else { return }
                let (index, resume) = queue[slot]
                do {
                    try execute(index, scenario: scenarios[index], folder: folder, resume: resume, jobs: jobs)
                } catch {
                    failures.withLock { $0.append((index, error)) }
                }
            }
        }
        if let (index, error) = failures.withLock({ $0.min { $0.0 < $1.0 } }) {
            throw RunError(description: "\(folder)/runs/\(plan.runs[index].folder): \(error)")
        }
        for (index, resume) in pending { if resume { outcome.resumed.append(index) } else { outcome.started.append(index) } }
        outcome.complete = plan.runs.allSatisfy { Self.isFinished(folder + "/runs/" + $0.folder) }
        try ExperimentReport.write(folder: folder)
        write("\(command): " + (outcome.complete ? "all \(total) runs finished" : "stopped with runs left; repeat the command to continue")
            + "; table in \(folder)/table.md, report in \(folder)/report.html")
        return outcome
    }

    /// Whether the run folder holds a final summary (an interrupted run's summary is not final).
    static func isFinished(_ runFolder: String) -> Bool {
        let url = URL(fileURLWithPath: runFolder).appendingPathComponent("summary.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return false }
        return (try? RunSummary.read(from: url))?.ending.isFinal ?? false
    }

    /// Creates the folder with the plan, or checks that the plan already there is this one.
    private func prepare(_ folder: String) throws {
        let manager = FileManager.default
        let planURL = URL(fileURLWithPath: folder).appendingPathComponent("experiment.json")
        if manager.fileExists(atPath: planURL.path) {
            guard let existing = try? JSONDecoder().decode(ExperimentPlan.self, from: Data(contentsOf: planURL)) else {
                throw RunError(description: "\(planURL.path): cannot be read as an experiment plan; choose another --out")
            }
            if existing == plan { return }
            let reason = existing.scenarioText != plan.scenarioText && existing.variants == plan.variants
                ? "\(plan.scenarioFile) changed since it started" : "it was started with other values (see experiment.json)"
            throw RunError(description: "\(folder): holds another experiment: \(reason); repeat the command that started it "
                + "to continue it, or choose another --out")
        }
        if manager.fileExists(atPath: folder), !((try? manager.contentsOfDirectory(atPath: folder))?.isEmpty ?? true) {
            throw RunError(description: "\(folder): exists and is not an experiment folder (no experiment.json); choose another --out")
        }
        try manager.createDirectory(atPath: folder + "/runs", withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(plan).write(to: planURL, options: .atomic)
    }

    private func execute(_ index: Int, scenario: Scenario, folder: String, resume: Bool, jobs: Int) throws {
        let run = plan.runs[index]
        let tag = "[\(index + 1)/\(plan.runs.count) \(plan.variants[run.variant].label)"
            + (plan.repeats > 1 ? ", seed \(run.seed)" : "") + "]"
        var runOptions = RunOptions()
        runOptions.runFolder = folder + "/runs/" + run.folder
        runOptions.resume = resume
        runOptions.threads = max(1, options.threads / jobs)
        runOptions.interruption = options.interruption
        if let interrupt = options.interruptAt, interrupt.run == index { runOptions.stopAfterRound = interrupt.round }
        let terminal = isTerminal && jobs == 1  // one status line can only show one run
        let write = self.write, prefix = "\(command) \(tag)"
        let reporter = RunReporter(isTerminal: terminal) { text in
            if text.hasPrefix("\r\u{1B}[K") {
                write("\r\u{1B}[K\(prefix) " + text.dropFirst(4))
            } else {
                write(text.hasPrefix("murmur run: ") ? "\(prefix): " + text.dropFirst("murmur run: ".count) : "\(prefix) \(text)")
            }
        }
        try ScenarioRunner(scenario: scenario, options: runOptions, reporter: reporter).run()
    }
}
