import Experiments
import Foundation

/// `murmur sweep SCENARIO --grid key.path=v1,v2,… [--grid …] [--repeats R]`: every combination of the
/// grid's values, each a full run in its own folder under one experiment folder.
let sweepCommand: Command = experimentCommand(
    name: "sweep",
    summary: """
        Run a scenario over a grid of values, each a full run, with a table and a report. The grid is the
        cartesian product of the --grid values (privacy.epsilon=0.5,1,2,4,8 for utility against ε); the runs
        go under one folder, then table.csv, table.md and report.html are written. Repeating the command continues an interrupted sweep; finished runs are not redone.
        Without --grid, uses the scenario's sweep section.
        """,
    varying: .init(name: "grid", valueName: "KEY=V1,V2,…", help: "a scenario key and its values (repeatable: the grid is "
                   + "their product)", defaultValue: nil)
) { file, arguments, repeats, overrides throws(ScenarioError) in
    try ExperimentPlan.sweep(scenarioFile: file, grid: arguments.repeatedValues("grid"), repeats: repeats, overrides: overrides)
}

/// `murmur compare SCENARIO --vary key.path=a,b,c`: the same scenario with one thing changed, side by side.
let compareCommand: Command = experimentCommand(
    name: "compare",
    summary: """
        Run a scenario with one setting varied, side by side, with a table and a report. For example
        --vary server.optimizer=fedavg,fedadam,fedyogi,lamb; table.csv, table.md and report.html are written
        when the runs end. Repeating the command continues an interrupted
        comparison. Without --vary, runs the scenario's compare.variants (each a name and the keys it sets).
        """,
    varying: .init(name: "vary", valueName: "KEY=A,B,…", help: "the scenario key to vary and its values", defaultValue: nil)
) { file, arguments, repeats, overrides throws(ScenarioError) in
    try ExperimentPlan.comparison(scenarioFile: file, vary: arguments.value("vary"), repeats: repeats, overrides: overrides)
}

/// The shared shape of `sweep` and `compare`: options, validation, running, and the table on stdout.
private func experimentCommand(
    name: String, summary: String, varying: CommandSignature.Option,
    plan: @escaping @Sendable (String, ParsedArguments, Int?, [String]) throws(ScenarioError) -> ExperimentPlan
) -> Command {
    var command = Command(name: name, summary: summary)
    command.signature.positionals = [("SCENARIO", "a scenario JSON file (see docs/scenarios.md)", true)]
    command.signature.options = [
        varying,
        .init(name: "repeats", valueName: "R", help: "runs of each variant, with seeds seed, seed+1, … (default: the "
              + "scenario's, else 1)", defaultValue: nil),
        .init(name: "set", valueName: "KEY=VALUE", help: "override a scenario key in every run (repeatable)", defaultValue: nil),
        .init(name: "out", valueName: "DIR", help: "the experiment folder (default: output.directory/NAME-\(name))",
              defaultValue: nil),
        .init(name: "threads", valueName: "N", help: "threads in all (results do not depend on it)", defaultValue: "2"),
        .init(name: "jobs", valueName: "J", help: "runs at once, each on threads/J threads (default: as many as threads; "
              + "results do not depend on it)", defaultValue: nil),
    ]
    command.action = { arguments, console in
        let threads = try parsePositiveInteger(arguments.value("threads")!, option: "threads", command: name, range: 1...256)
        // Whole runs side by side use two cores better than clients split within a run (no per-round barrier):
        // 1.24× the throughput on the privacy sweep (docs/experiments.md).
        let jobs = try arguments.value("jobs").map { text throws(CommandLineError) in
            try parsePositiveInteger(text, option: "jobs", command: name, range: 1...threads)
        } ?? threads
        let repeats = try arguments.value("repeats").map { text throws(CommandLineError) in
            try parsePositiveInteger(text, option: "repeats", command: name, range: 1...100)
        }
        let overrides = arguments.repeatedValues("set").flatMap { $0.split(separator: ";").map(String.init) }
        let experiment = try plan(arguments.positionals[0], arguments, repeats, overrides)
        var options = ExperimentOptions()
        options.folder = arguments.value("out")
        options.threads = threads
        options.jobs = jobs
        let interrupts = InterruptHandling(console: console)
        options.interruption = interrupts.interruption
        let runner = ExperimentRunner(plan: experiment, options: options, isTerminal: console.progressIsTerminal) {
            console.writeProgress($0)
        }
        let outcome = try runner.run()
        console.write(try String(contentsOfFile: outcome.folder + "/table.md", encoding: .utf8).trimmingCharacters(in: .newlines))
        withExtendedLifetime(interrupts) {}
        if interrupts.interruption.isRequested && !outcome.complete { throw RunInterrupted(folder: outcome.folder) }
        return 0
    }
    return command
}

/// `murmur report DIR`: redraws report.html (and, for an experiment, its tables) from the files in a run
/// or experiment folder, without running anything.
let reportCommand: Command = {
    var command = Command(
        name: "report",
        summary: """
            Redraw the report of a run or an experiment from its files. DIR is a run folder (metrics.jsonl,
            summary.json) or a sweep/compare folder (experiment.json and its runs; table.csv and table.md are
            rewritten too).
            """)
    command.signature.positionals = [("DIR", "a run folder or an experiment folder", true)]
    command.signature.options = [
        .init(name: "epsilon", valueName: "WHICH", help: "the ε an experiment's utility plot and ε curves use: asRun (what the "
              + "runs spent as they ran) or accounted (for the noise cohort, where one is set)", defaultValue: "asRun"),
    ]
    command.signature.flags = [.init(name: "tensorboard", help: "also write TensorBoard event files: one per run "
                                     + "folder, so a sweep shows one run per variant (tensorboard --logdir DIR)")]
    command.action = { arguments, console in
        let folder = arguments.positionals[0]
        let manager = FileManager.default
        let which = arguments.value("epsilon")!
        let tensorBoard = arguments.flags.contains("tensorboard")
        guard let epsilonAxis = ExperimentReport.EpsilonAxis(rawValue: which) else {
            throw CommandLineError.invalidValue(command: "report", option: "--epsilon", value: which, allowed: "asRun, accounted")
        }
        if manager.fileExists(atPath: folder + "/experiment.json") {
            try ExperimentReport.write(folder: folder, epsilonAxis: epsilonAxis)
            if tensorBoard { for file in try TensorBoardLog.write(experimentFolder: folder) { console.write(file) } }
        } else if manager.fileExists(atPath: folder + "/metrics.jsonl") {
            try RunReport.write(folder: folder)
            if tensorBoard { console.write(try TensorBoardLog.write(runFolder: folder)) }
        } else {
            throw CommandLineError.impossible("report: \(folder): neither a run folder (no metrics.jsonl) nor a sweep or "
                + "compare folder (no experiment.json)")
        }
        console.write(folder + "/report.html")
        return 0
    }
    return command
}()
