import Foundation

/// One command or command group of the `murmur` tool: its signature, help text and action.
struct Command: Sendable {
    let name: String
    let summary: String
    var signature = CommandSignature()
    var subcommands: [Command] = []
    /// Runs the command; returns the exit status. Nil for a group that only dispatches to subcommands.
    var action: (@Sendable (ParsedArguments, Console) throws -> Int32)?

    /// The help text: usage, summary, arguments, options and subcommands.
    func help(path: String) -> String {
        var usage = "usage: \(path)"
        if !subcommands.isEmpty { usage += " <command>" }
        if !signature.options.isEmpty || !signature.flags.isEmpty { usage += " [options]" }
        for positional in signature.positionals {
            usage += positional.required ? " \(positional.name)" : " [\(positional.name)]"
        }
        var lines = [usage, "", summary]
        if !signature.positionals.isEmpty {
            lines += ["", "arguments:"]
            lines += signature.positionals.map { pad("  \($0.name)") + $0.help }
        }
        if !subcommands.isEmpty {
            lines += ["", "commands:"]
            lines += subcommands.map { pad("  \($0.name)") + $0.firstSentence }
        }
        lines += ["", "options:"]
        for option in signature.options {
            let defaultText = option.defaultValue.map { " (default: \($0))" } ?? ""
            lines.append(pad("  --\(option.name) \(option.valueName)") + option.help + defaultText)
        }
        for flag in signature.flags { lines.append(pad("  --\(flag.name)") + flag.help) }
        lines.append(pad("  -h, --help") + "show this help")
        return lines.joined(separator: "\n")
    }

    /// The summary's first sentence on one line, for a group's list of commands (the full summary is in the
    /// command's own help).
    var firstSentence: String {
        let text = summary.split(whereSeparator: \.isNewline).joined(separator: " ")
        return text.range(of: ". ").map { String(text[..<$0.lowerBound]) + "." } ?? text
    }

    private func pad(_ text: String) -> String {
        text.count >= 28 ? text + "  " : text + String(repeating: " ", count: 28 - text.count)
    }
}
