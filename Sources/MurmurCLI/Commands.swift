/// The command tree of `murmur`: the design's seven jobs, each with its own help.
let rootCommand = Command(
    name: "murmur",
    summary: "Federated learning with differential privacy and secure aggregation, simulated on this machine.",
    subcommands: [runCommand, trainCentralCommand, sweepCommand, compareCommand, reportCommand,
                  replayCommand, scenarioCommand,
                  privacyCommand,
                  dataCommand, exportCommand,
                  benchCommand])
