import Experiments
import Foundation
import Testing

/// Running experiments: the tables agree with the runs' own files, and an interrupted experiment
/// continued by the same command ends exactly where an uninterrupted one does.
@Suite struct ExperimentRunnerTests {
    static func plan() throws -> ExperimentPlan {
        try ExperimentPlan.sweep(scenarioFile: try ExperimentPlanTests.scenarioFile(), grid: ["clients.learningRate=0.2,0.5"],
                                 repeats: 2, overrides: ["rounds=4"])
    }

    static func run(_ plan: ExperimentPlan, folder: String, jobs: Int = 1, interruptAt: (run: Int, round: Int)? = nil) throws -> ExperimentOutcome {
        var options = ExperimentOptions()
        options.folder = folder
        options.jobs = jobs
        options.interruptAt = interruptAt
        return try ExperimentRunner(plan: plan, options: options) { _ in }.run()
    }

    /// Every run's metrics without wall-clock times.
    static func allMetrics(_ folder: String, _ plan: ExperimentPlan) throws -> [[RoundMetrics]] {
        try plan.runs.map { try ScenarioRunnerTests.metrics(folder + "/runs/" + $0.folder) }
    }

    @Test func tableAgreesWithTheRunsMetrics() throws {
        let plan = try Self.plan(), folder = ScenarioRunnerTests.folder()
        let outcome = try Self.run(plan, folder: folder)
        #expect(outcome.complete && outcome.started == [0, 1, 2, 3])
        let table = ExperimentTable(try ExperimentResults.load(folder: folder))
        for (variant, row) in table.rows.enumerated() {
            let runs = plan.runs.filter { $0.variant == variant }
            let finals: [Double] = try runs.map { run in
                try ScenarioRunnerTests.metrics(folder + "/runs/" + run.folder).last!.metric("validationPerplexity")!
            }
            let mean = finals.reduce(0, +) / 2
            let spread0 = (finals[0] - mean) * (finals[0] - mean), spread1 = (finals[1] - mean) * (finals[1] - mean)
            let deviation = (spread0 + spread1).squareRoot()
            #expect(row.finished == 2 && row.coordinates == [variant == 0 ? "0.2" : "0.5"])
            #expect(abs(row.finalPrimary!.mean - mean) < 1e-12 * mean)
            #expect(abs(row.finalPrimary!.standardDeviation! - deviation) < 1e-9 * mean)
            #expect(finals[0] != finals[1])  // the repeats' seeds differ
        }
        let csv = try String(contentsOfFile: folder + "/table.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3 && csv[0].hasPrefix("variant,clients.learningRate,runsFinished,runsPlanned,finalValidationPerplexityMean"))
        #expect(csv[1].split(separator: ",", omittingEmptySubsequences: false)[4] == "\(table.rows[0].finalPrimary!.mean)")
        let markdown = try String(contentsOfFile: folder + "/table.md", encoding: .utf8)
        #expect(markdown.contains("| learningRate=0.2 | 2/2 | "))
        for file in ["experiment.json", "report.html"] { #expect(FileManager.default.fileExists(atPath: folder + "/" + file)) }
    }

    @Test func anInterruptedSweepContinuesToTheSameResult() throws {
        let plan = try Self.plan()
        let straight = ScenarioRunnerTests.folder(), interrupted = ScenarioRunnerTests.folder()
        _ = try Self.run(plan, folder: straight, jobs: 2)
        let first = try Self.run(plan, folder: interrupted, interruptAt: (run: 1, round: 3))  // run 1 checkpointed at round 2
        #expect(!first.complete && first.started == [0, 1])
        let second = try Self.run(plan, folder: interrupted)
        #expect(second.complete && second.skipped == [0] && second.resumed == [1] && second.started == [2, 3])
        #expect(try Self.allMetrics(interrupted, plan) == Self.allMetrics(straight, plan))  // also: 2 jobs == 1 job
        let third = try Self.run(plan, folder: interrupted)
        #expect(third.skipped == [0, 1, 2, 3] && third.started.isEmpty && third.resumed.isEmpty)
    }

    @Test func aFolderHoldingAnotherExperimentIsRefused() throws {
        let plan = try Self.plan(), folder = ScenarioRunnerTests.folder()
        _ = try Self.run(plan, folder: folder, interruptAt: (run: 0, round: 1))
        var other = plan
        other.repeats = 3
        #expect(throws: RunError.self) { try Self.run(other, folder: folder) }
        let stray = ScenarioRunnerTests.folder()
        try FileManager.default.createDirectory(atPath: stray, withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: stray + "/notes.txt"))
        #expect(throws: RunError.self) { try Self.run(plan, folder: stray) }
        #expect(FileManager.default.fileExists(atPath: stray + "/notes.txt"))  // nothing already there is touched
    }
}
