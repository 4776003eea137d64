/// The command tree of `murmur`: the design's seven jobs, each with its own help.
let rootCommand = Command(
    name: "murmur",
    summary: "Federated learning with differential privacy and secure aggregation, simulated on this machine.",
    subcommands: [runCommand, sweepCommand, compareCommand, reportCommand,
                  placeholder("replay", "Replay a device trace in simulated time.", "issue 9"),
                  privacyCommand,
                  dataCommand,
                  benchCommand])

/// A command that a later issue fills in: it has help, and says plainly that it is not available yet.
private func placeholder(_ name: String, _ summary: String, _ issue: String) -> Command {
    var command = Command(name: name, summary: summary + " (Not yet available: \(issue).)")
    command.takesRawArguments = true
    command.action = { _, _ in throw CommandLineError.notYetAvailable(command: name, issue: issue) }
    return command
}
