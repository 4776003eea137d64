import Experiments
import Foundation

/// `murmur train-central SCENARIO [--set …] [--out DIR] [--threads N]`: trains the scenario's model
/// centrally (its `central` section) into `<output.directory>/<name>-central`, a seed model for
/// `model.initialWeights`.
let trainCentralCommand: Command = {
    var command = Command(
        name: "train-central",
        summary: """
            Train the scenario's model centrally, not federated: a seed model (FL4ASR's seed start). Its
            `central` section sets steps, users a step, optimizer, learning rate and decay, and central.trainPath a
            pool of users apart from the federated ones. Writes <output.directory>/<name>-central; give that folder
            to model.initialWeights to start a federated run from it.
            """)
    command.signature.positionals = [("SCENARIO", "a scenario JSON file (see docs/scenarios.md, section central)", true)]
    command.signature.options = runOptions(defaultFolder: "output.directory/name-central")
    command.action = { arguments, console in
        let threads = try parsePositiveInteger(arguments.value("threads")!, option: "threads", command: "train-central",
                                               range: 1...256)
        let overrides = arguments.repeatedValues("set").flatMap { $0.split(separator: ";").map(String.init) }
        let scenario = try Scenario(contentsOf: arguments.positionals[0], overrides: overrides)
        var options = RunOptions()
        options.threads = threads
        options.runFolder = arguments.value("out")
        let interrupts = InterruptHandling(console: console)
        options.interruption = interrupts.interruption
        let reporter = RunReporter(isTerminal: console.progressIsTerminal) { console.writeProgress($0) }
        let (summary, folder) = try CentralTrainingRunner(scenario: scenario, options: options, reporter: reporter).run()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        console.write(String(decoding: try encoder.encode(summary), as: UTF8.self))
        withExtendedLifetime(interrupts) {}
        if summary.ending == .interrupted { throw RunInterrupted(folder: folder) }
        return 0
    }
    return command
}()
