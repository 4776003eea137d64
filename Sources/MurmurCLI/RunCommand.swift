/// `murmur run`: runs a scenario (federated rounds arrive with issue 4).
let runCommand: Command = {
    var command = Command(name: "run", summary: "Run a federated scenario.")
    command.takesRawArguments = true
    command.action = { _, _ in throw CommandLineError.notYetAvailable(command: "run", issue: "issue 4") }
    return command
}()

/// Placeholder until Learning lands.
let benchTrainCommand = Command(name: "train", summary: "Tokens per second of local LSTM LM training.")
