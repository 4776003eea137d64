import Foundation
import Privacy

/// `murmur privacy`: ε of a mechanism run many times, or the noise a budget needs.
let privacyCommand = Command(
    name: "privacy",
    summary: "Compute ε for a mechanism, or calibrate noise to a budget.",
    subcommands: [privacyEpsilonCommand, privacyCalibrateCommand])

/// The options both subcommands share: what ran, how often, on what sample, and who accounts for it.
private let mechanismOptions: [CommandSignature.Option] = [
    .init(name: "rate", valueName: "Q", help: "Poisson sampling probability of each user per step", defaultValue: "1"),
    .init(name: "steps", valueName: "T", help: "number of steps (rounds)", defaultValue: nil),
    .init(name: "delta", valueName: "D", help: "δ of the (ε, δ) guarantee", defaultValue: nil),
    .init(name: "mechanism", valueName: "M", help: "gaussian or laplace", defaultValue: "gaussian"),
    .init(name: "accountant", valueName: "A", help: "rdp or pld", defaultValue: "pld"),
]

private let privacyEpsilonCommand: Command = {
    var command = Command(
        name: "epsilon",
        summary: """
            ε after T steps of a Poisson-sampled Gaussian (or Laplace) mechanism with noise multiplier Z
            (noise standard deviation / sensitivity), for one user added or removed.
            """)
    command.signature.options = [.init(name: "noise", valueName: "Z", help: "noise multiplier", defaultValue: nil)]
        + mechanismOptions
    command.signature.flags = [.init(name: "json", help: "print one JSON line instead of a sentence")]
    command.action = { arguments, console in
        let name = "privacy epsilon"
        let question = try PrivacyQuestion(arguments, command: name)
        let noise = try required(arguments, "noise", command: name, parse: positiveNumber)
        let steps = try question.steps(arguments, command: name)
        let start = ContinuousClock.now
        let epsilon = try answer {
            try NoiseCalibration(accountant: question.accountant).epsilon(
                steps: steps, delta: question.delta, event: question.event, noiseMultiplier: noise)
        }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        if arguments.flags.contains("json") {
            console.write(jsonLine([("epsilon", number(epsilon)), ("delta", number(question.delta)),
                                    ("noiseMultiplier", number(noise)), ("rate", number(question.rate)),
                                    ("steps", "\(steps)"), ("mechanism", "\"\(question.mechanism)\""),
                                    ("accountant", "\"\(question.accountant.rawValue)\""),
                                    ("relation", "\"addOrRemoveOne\""), ("seconds", number(seconds))]))
        } else {
            console.write("ε = \(format(epsilon)) at δ = \(format(question.delta)): \(question.describe(noise: noise, steps: steps)) "
                + "(\(question.accountant.rawValue) accountant, one user added or removed; \(format(seconds)) s)")
        }
        return 0
    }
    return command
}()

private let privacyCalibrateCommand: Command = {
    var command = Command(
        name: "calibrate",
        summary: """
            The smallest noise multiplier that keeps T steps within (ε, δ); or, given --noise instead of
            --steps, the largest number of steps that does.
            """)
    command.signature.options = [
        .init(name: "epsilon", valueName: "E", help: "the ε budget", defaultValue: nil),
        .init(name: "noise", valueName: "Z", help: "a fixed noise multiplier: find the largest T instead", defaultValue: nil),
    ] + mechanismOptions
    command.signature.flags = [.init(name: "json", help: "print one JSON line instead of a sentence")]
    command.action = { arguments, console in
        let name = "privacy calibrate"
        let question = try PrivacyQuestion(arguments, command: name)
        let epsilon = try required(arguments, "epsilon", command: name, parse: positiveNumber)
        let calibration = NoiseCalibration(accountant: question.accountant)
        let start = ContinuousClock.now
        let noise: Double, steps: Int
        if let fixed = arguments.value("noise") {
            noise = try positiveNumber(fixed, "noise", name)
            steps = try answer { try calibration.largestSteps(epsilon: epsilon, delta: question.delta, event: question.event(noise)) }
        } else {
            steps = try question.steps(arguments, command: name)
            noise = try answer {
                try calibration.smallestNoiseMultiplier(epsilon: epsilon, delta: question.delta, steps: steps, event: question.event)
            }
        }
        let achieved = try answer {
            try calibration.epsilon(steps: steps, delta: question.delta, event: question.event, noiseMultiplier: noise)
        }
        let seconds = (ContinuousClock.now - start) / .seconds(1)
        if arguments.flags.contains("json") {
            console.write(jsonLine([("noiseMultiplier", number(noise)), ("steps", "\(steps)"), ("epsilon", number(achieved)),
                                    ("targetEpsilon", number(epsilon)), ("delta", number(question.delta)),
                                    ("rate", number(question.rate)), ("mechanism", "\"\(question.mechanism)\""),
                                    ("accountant", "\"\(question.accountant.rawValue)\""),
                                    ("relation", "\"addOrRemoveOne\""), ("seconds", number(seconds))]))
        } else if arguments.value("noise") != nil {
            console.write("at most \(steps) steps stay within ε = \(format(epsilon)), δ = \(format(question.delta)): "
                + "\(question.describe(noise: noise, steps: steps)) gives ε = \(format(achieved)) "
                + "(\(question.accountant.rawValue) accountant; \(format(seconds)) s)")
        } else {
            console.write("noise multiplier \(format(noise)) keeps \(steps) steps within ε = \(format(epsilon)), "
                + "δ = \(format(question.delta)) (ε = \(format(achieved)); \(question.describe(noise: noise, steps: steps)); "
                + "\(question.accountant.rawValue) accountant; \(format(seconds)) s)")
        }
        return 0
    }
    return command
}()

/// The parts of a privacy question shared by both subcommands, parsed and range-checked.
private struct PrivacyQuestion {
    let rate: Double
    let delta: Double
    let mechanism: String
    let accountant: AccountantKind

    init(_ arguments: ParsedArguments, command: String) throws(CommandLineError) {
        let rateText = arguments.value("rate")!
        guard let rate = Double(rateText), rate > 0, rate <= 1 else {
            throw .invalidValue(command: command, option: "--rate", value: rateText, allowed: "a probability in (0, 1]")
        }
        self.rate = rate
        delta = try required(arguments, "delta", command: command) { text, option, command throws(CommandLineError) in
            guard let value = Double(text), value > 0, value < 1 else {
                throw .invalidValue(command: command, option: "--" + option, value: text, allowed: "a number in (0, 1)")
            }
            return value
        }
        mechanism = arguments.value("mechanism")!
        guard ["gaussian", "laplace"].contains(mechanism) else {
            throw .invalidValue(command: command, option: "--mechanism", value: mechanism, allowed: "gaussian, laplace")
        }
        let accountantText = arguments.value("accountant")!
        guard let accountant = AccountantKind(rawValue: accountantText) else {
            throw .invalidValue(command: command, option: "--accountant", value: accountantText, allowed: "rdp, pld")
        }
        self.accountant = accountant
    }

    func steps(_ arguments: ParsedArguments, command: String) throws(CommandLineError) -> Int {
        try required(arguments, "steps", command: command) { text, option, command throws(CommandLineError) in
            try parsePositiveInteger(text, option: option, command: command, range: 1...100_000_000)
        }
    }

    func event(_ noise: Double) -> DPEvent {
        let base: DPEvent = mechanism == "laplace" ? .laplace(noiseMultiplier: noise) : .gaussian(noiseMultiplier: noise)
        return rate == 1 ? base : .poissonSampled(probability: rate, event: base)
    }

    func describe(noise: Double, steps: Int) -> String {
        "\(mechanism) z = \(format(noise))" + (rate == 1 ? "" : ", Poisson rate \(format(rate))") + ", \(steps) steps"
    }
}

private func positiveNumber(_ text: String, _ option: String, _ command: String) throws(CommandLineError) -> Double {
    try parsePositiveDouble(text, option: option, command: command)
}

/// What each option without a default is, with a typical value, for the error when it is missing.
private let requiredOptionHints: [String: (valueName: String, help: String, example: String)] = [
    "delta": ("D", "the δ of the (ε, δ) guarantee, below 1/population", "1e-6"),
    "steps": ("T", "the number of steps (rounds)", "10000"),
    "noise": ("Z", "the noise multiplier (noise standard deviation / sensitivity)", "1.1"),
    "epsilon": ("E", "the ε budget", "2"),
]

/// The value of an option that has no default, parsed; a clear error when it is missing.
private func required<T>(_ arguments: ParsedArguments, _ option: String, command: String,
                         parse: (String, String, String) throws(CommandLineError) -> T) throws(CommandLineError) -> T {
    guard let text = arguments.value(option) else {
        let hint = requiredOptionHints[option] ?? (option.uppercased(), "its value", "1")
        throw .missingOption(command: command, option: "--" + option, valueName: hint.valueName, help: hint.help,
                             example: hint.example)
    }
    return try parse(text, option, command)
}

/// Runs an accountant query, turning its errors (an impossible target, an unsupported event) into
/// command-line errors that name the problem.
private func answer<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as AccountingError { throw CommandLineError.impossible(error.description) }
}

private func format(_ value: Double) -> String {
    value.isFinite ? String(format: "%.6g", value) : "∞"
}

private func number(_ value: Double) -> String {
    value.isFinite ? String(format: "%.10g", value) : "null"
}

private func jsonLine(_ fields: [(String, String)]) -> String {
    "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}
