/// A mistake on the command line, rendered as one line naming what was wrong and what is allowed.
///
/// The CLI prints `murmur: <description>` to stderr and exits with `exitCode` (64, `EX_USAGE`, for
/// bad input; 69, `EX_UNAVAILABLE`, for a command a later release fills in).
public enum CommandLineError: Error, Equatable, CustomStringConvertible {
    case unknownCommand(path: String, name: String, suggestion: String?, available: [String])
    case unknownOption(command: String, option: String, suggestion: String?)
    case missingValue(command: String, option: String, valueName: String, help: String)
    /// An option the command needs was not given at all (`--delta` of `privacy epsilon`).
    case missingOption(command: String, option: String, valueName: String, help: String, example: String)
    case invalidValue(command: String, option: String, value: String, allowed: String)
    case missingArgument(command: String, name: String)
    case unexpectedArgument(command: String, argument: String)
    /// The question is well formed but has no answer (an unreachable privacy target, an event the
    /// chosen accountant cannot handle).
    case impossible(String)

    public var description: String {
        switch self {
        case let .unknownCommand(path, name, suggestion, available):
            let hint = suggestion.map { "; did you mean '\($0)'?" } ?? "; available: \(available.joined(separator: ", "))"
            let group = path == "murmur" ? "" : String(path.dropFirst("murmur ".count)) + ": "
            return group + "unknown command '\(name)'\(hint)"
        case let .unknownOption(command, option, suggestion):
            let help = command == "murmur" ? "murmur --help" : "murmur \(command) --help"
            let hint = suggestion.map { "; did you mean '\($0)'?" } ?? "; see '\(help)'"
            return (command == "murmur" ? "" : "\(command): ") + "unknown option '\(option)'\(hint)"
        case let .missingValue(command, option, valueName, help):
            return "\(command): option '\(option)' needs a value (\(valueName): \(help))"
        case let .missingOption(command, option, valueName, help, example):
            return "\(command): needs \(option) \(valueName), \(help) (e.g. \(option) \(example))"
        case let .invalidValue(command, option, value, allowed):
            return "\(command): option '\(option)': '\(value)' is not valid; allowed: \(allowed)"
        case let .missingArgument(command, name):
            return "\(command): missing argument \(name); see 'murmur \(command) --help'"
        case let .unexpectedArgument(command, argument):
            return "\(command): unexpected argument '\(argument)'; see 'murmur \(command) --help'"
        case let .impossible(message):
            return message
        }
    }

    /// The process exit status for this error.
    public var exitCode: Int32 { 64 }  // EX_USAGE
}
