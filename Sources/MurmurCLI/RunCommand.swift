import Experiments
import Foundation

/// `murmur run [SCENARIO] [--set key.path=value …] [--out DIR] [--resume] [--threads N] [--backend local|mpi]`: validates the
/// scenario (every problem reported before anything runs), then runs it into its run folder. Without
/// SCENARIO it runs the embedded quickstart (scenarios/quickstart.json), on data it makes itself.
let runCommand: Command = {
    var command = Command(
        name: "run",
        summary: """
            Run a federated scenario into its run folder. The folder gets scenario.json, metrics.jsonl,
            summary.json, report.html and checkpoint.bin. Without SCENARIO, runs the embedded quickstart: an LSTM language model trained
            by FedAdam over 20,000 synthetic users (about 17 seconds on 2 cores).
            """)
    command.signature.positionals = [("SCENARIO", "a scenario JSON file (see docs/scenarios.md)", false)]
    command.signature.options = runOptions(defaultFolder: "output.directory/name") + [
        .init(name: "backend", valueName: "B", help: "local, or mpi to spread rounds over the ranks of `mpirun -np P` "
              + "(a build with --traits MPI; docs/distributed.md)", defaultValue: "local"),
    ]
    command.signature.flags = [.init(name: "resume", help: "continue the interrupted run in the run folder")]
    command.action = { arguments, console in
        let threads = try parsePositiveInteger(arguments.value("threads")!, option: "threads", command: "run", range: 1...256)
        let overrides = arguments.repeatedValues("set").flatMap { $0.split(separator: ";").map(String.init) }
        let scenario: Scenario
        if let path = arguments.positionals.first {
            scenario = try Scenario(contentsOf: path, overrides: overrides)
        } else {
            scenario = try Scenario(json: Data(EmbeddedScenarios.quickstart.utf8), file: embeddedQuickstartFile,
                                    overrides: overrides)
        }
        let resume = arguments.flags.contains("resume")
        try withRunBackend(arguments.value("backend")!, scenario: scenario, folder: arguments.value("out"), resume: resume, threads: threads,
                           console: console) { console, folder in
            try runScenario(scenario, threads: threads, folder: folder, resume: resume, console: console)
        }
        return 0
    }
    return command
}()

/// The embedded quickstart is `scenarios/quickstart.json` compiled in; it is named (and its relative paths,
/// `output.directory` `../runs`, resolve) as if it were that file under the current folder.
let embeddedQuickstartFile = "scenarios/quickstart.json (embedded)"

/// The options `run` and `replay` share.
func runOptions(defaultFolder: String) -> [CommandSignature.Option] {
    [
        .init(name: "set", valueName: "KEY=VALUE", help: "override a scenario key, e.g. clients.cohortSize=100 "
              + "(repeatable; separate several with ';')", defaultValue: nil),
        .init(name: "out", valueName: "DIR", help: "the run folder (default: \(defaultFolder))", defaultValue: nil),
        .init(name: "threads", valueName: "N", help: "threads for client training (results do not depend on it)",
              defaultValue: "2"),
    ]
}

/// Runs a validated scenario with the command's options and prints its summary as one JSON line.
///
/// - Parameter defaultFolder: the run folder when `folder` is nil (or the next free `-2`, `-3`, …);
///   nil for the scenario's own `output.directory/name`.
func runScenario(_ scenario: Scenario, threads: Int, folder: String?, resume: Bool, console: Console,
                 defaultFolder: String? = nil) throws {
    var options = RunOptions()
    options.threads = threads
    options.runFolder = folder
    options.defaultRunFolder = defaultFolder
    options.resume = resume
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    if resume, case let chosen = try RunFolder.choose(options, scenario: scenario),
       let finished = chosen.finishedSummary(resolvedScenario: scenario.resolvedJSON) {
        let folder = chosen.path
        console.writeProgress("murmur run: \(folder) has finished (\(finished.roundsCompleted) rounds); nothing to resume, "
            + "nothing rewritten (run without --resume, or with another --out, to run it again)")
        console.write(String(decoding: try encoder.encode(finished), as: UTF8.self))
        return
    }
    let interrupts = InterruptHandling(console: console)
    options.interruption = interrupts.interruption
    let reporter = RunReporter(isTerminal: console.progressIsTerminal) { console.writeProgress($0) }
    let (summary, runFolder) = try ScenarioRunner(scenario: scenario, options: options, reporter: reporter).run()
    console.write(String(decoding: try encoder.encode(summary), as: UTF8.self))
    withExtendedLifetime(interrupts) {}
    if summary.ending == .interrupted { throw RunInterrupted(folder: runFolder) }
}
