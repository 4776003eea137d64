/// `murmur bench`: speed measured as ratios or rates printed by a program, never by a timed test.
let benchCommand = Command(
    name: "bench",
    summary: "Measure kernel and training speed; one JSON line per case.",
    subcommands: [benchGEMMCommand, benchTrainCommand, benchRoundCommand, benchAccountantCommand, benchSecureAggregationCommand,
                  benchASRCommand, benchPopulationCommand])
