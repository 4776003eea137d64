import Experiments
import Foundation

/// `murmur replay TRACE SCENARIO [--set …] [--out DIR] [--resume] [--threads N]`: runs the scenario on
/// the trace's clients and clock — the scenario with `devices.trace` set to TRACE (docs/devices.md).
let replayCommand: Command = {
    var command = Command(
        name: "replay",
        summary: """
            Replay a device trace in simulated time: run SCENARIO on the trace's clients, their devices and \
            availability. Client i of the trace holds user i's data; rounds over-select, wait for the cohort \
            or the deadline, and drop clients that are too slow, too small or go offline. The summary gives \
            simulated time, time-to-target and each device class's participation. With privacy, it says how \
            often the most active client took part (availability makes some train far more often than \
            sampling amplification assumes); privacy.maxParticipations and privacy.minSeparation cap it, \
            and ε is then accounted from the cap (docs/privacy.md).
            """)
    command.signature.positionals = [
        ("TRACE", "a device trace, JSONL (see docs/formats.md; e.g. clients/traces/sample.jsonl)", true),
        ("SCENARIO", "a scenario JSON file (its devices section, if any, sets the deadline and over-selection)", true),
    ]
    command.signature.options = runOptions(defaultFolder: "output.directory/name-replay")
    command.signature.flags = [.init(name: "resume", help: "continue the interrupted replay in the run folder")]
    command.action = { arguments, console in
        let threads = try parsePositiveInteger(arguments.value("threads")!, option: "threads", command: "replay",
                                                range: 1...256)
        let trace = URL(fileURLWithPath: arguments.positionals[0]).standardizedFileURL.path
        let quotedTrace = String(decoding: try JSONSerialization.data(withJSONObject: trace, options: .fragmentsAllowed),
                                 as: UTF8.self)
        // The trace replaces any mix of classes the scenario names; the user's --set values come last.
        let overrides = ["devices.classes=null", "devices.timeZones=null", "devices.trace=\(quotedTrace)"]
            + arguments.repeatedValues("set").flatMap { $0.split(separator: ";").map(String.init) }
        let scenario = try Scenario(contentsOf: arguments.positionals[1], overrides: overrides)
        let folder = URL(fileURLWithPath: scenario.outputDirectory).appendingPathComponent(scenario.name + "-replay").path
        try runScenario(scenario, threads: threads, folder: arguments.value("out"),
                        resume: arguments.flags.contains("resume"), console: console, defaultFolder: folder)
        return 0
    }
    return command
}()
