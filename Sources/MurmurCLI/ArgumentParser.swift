import Experiments

/// What a command accepts: options that take a value, flags, and named positional arguments.
package struct CommandSignature: Sendable {
    /// An option such as `--threads 1,2`, with a default shown in help.
    package struct Option: Sendable {
        let name: String
        let valueName: String
        let help: String
        var defaultValue: String?

        package init(name: String, valueName: String, help: String, defaultValue: String?) {
            self.name = name
            self.valueName = valueName
            self.help = help
            self.defaultValue = defaultValue
        }
    }

    /// A flag such as `--json`.
    package struct Flag: Sendable {
        let name: String
        let help: String

        package init(name: String, help: String) {
            self.name = name
            self.help = help
        }
    }

    package init() {}

    package var positionals: [(name: String, help: String, required: Bool)] = []
    package var options: [Option] = []
    package var flags: [Flag] = []
}

/// The arguments of one command after parsing: values by option name, flags set, positionals in order.
package struct ParsedArguments: Equatable {
    package var positionals: [String] = []
    package var values: [String: String] = [:]
    package var flags: Set<String> = []
    /// Every value given for each option, in order (for repeatable options such as `--set`).
    package var allValues: [String: [String]] = [:]

    /// The option's value, or its default from the signature.
    func value(_ option: String) -> String? { values[option] }

    /// All values given for a repeatable option, in order (empty if none).
    func repeatedValues(_ option: String) -> [String] { allValues[option] ?? [] }
}

/// Parses `arguments` against `signature`: `--name value`, `--name=value`, `--flag`, and positionals
/// (anything after `--` is positional). Unknown options get a "did you mean"; defaults are filled in.
package func parseArguments(
    _ arguments: [String], signature: CommandSignature, command: String
) throws(CommandLineError) -> ParsedArguments {
    var parsed = ParsedArguments()
    let optionNames = signature.options.map { "--" + $0.name }
    let flagNames = signature.flags.map { "--" + $0.name }
    var index = 0
    var onlyPositionals = false
    while index < arguments.count {
        let argument = arguments[index]
        index += 1
        if onlyPositionals || !argument.hasPrefix("-") || argument == "-" {
            parsed.positionals.append(argument)
            continue
        }
        if argument == "--" {
            onlyPositionals = true
            continue
        }
        var name = argument
        var inlineValue: String?
        if let equals = argument.firstIndex(of: "=") {
            name = String(argument[..<equals])
            inlineValue = String(argument[argument.index(after: equals)...])
        }
        if let option = signature.options.first(where: { "--" + $0.name == name }) {
            if let inlineValue {
                parsed.values[option.name] = inlineValue
                parsed.allValues[option.name, default: []].append(inlineValue)
            } else if index < arguments.count, !arguments[index].hasPrefix("--") {
                parsed.values[option.name] = arguments[index]
                parsed.allValues[option.name, default: []].append(arguments[index])
                index += 1
            } else {
                throw .missingValue(command: command, option: name, valueName: option.valueName, help: option.help)
            }
        } else if let flag = signature.flags.first(where: { "--" + $0.name == name }), inlineValue == nil {
            parsed.flags.insert(flag.name)
        } else {
            throw .unknownOption(
                command: command, option: name, suggestion: suggestion(for: name, among: optionNames + flagNames))
        }
    }
    let required = signature.positionals.filter(\.required).count
    if parsed.positionals.count < required {
        throw .missingArgument(command: command, name: signature.positionals[parsed.positionals.count].name)
    }
    if parsed.positionals.count > signature.positionals.count {
        throw .unexpectedArgument(command: command, argument: parsed.positionals[signature.positionals.count])
    }
    for option in signature.options where parsed.values[option.name] == nil {
        if let defaultValue = option.defaultValue { parsed.values[option.name] = defaultValue }
    }
    return parsed
}

/// Parses a comma-separated list of positive integers, such as `--threads 1,2`.
func parsePositiveIntegers(
    _ text: String, option: String, command: String, range: ClosedRange<Int>
) throws(CommandLineError) -> [Int] {
    var result: [Int] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
        guard let value = Int(part), range.contains(value) else {
            throw .invalidValue(
                command: command, option: "--" + option, value: text,
                allowed: "comma-separated integers in \(range.lowerBound)...\(range.upperBound)")
        }
        result.append(value)
    }
    return result
}

/// Parses one integer in `range`, such as `--threads 2` (a list such as `1,2` is refused: it is not a count).
func parsePositiveInteger(
    _ text: String, option: String, command: String, range: ClosedRange<Int>
) throws(CommandLineError) -> Int {
    guard let value = Int(text), range.contains(value) else {
        throw .invalidValue(command: command, option: "--" + option, value: text,
                            allowed: "an integer in \(range.lowerBound)...\(range.upperBound)")
    }
    return value
}

/// Parses one positive number, such as `--seconds 0.5`.
func parsePositiveDouble(_ text: String, option: String, command: String) throws(CommandLineError) -> Double {
    guard let value = Double(text), value > 0, value.isFinite else {
        throw .invalidValue(command: command, option: "--" + option, value: text, allowed: "a positive number")
    }
    return value
}
