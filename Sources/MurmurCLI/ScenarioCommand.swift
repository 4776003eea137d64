import Experiments

/// `murmur scenario keys [SECTION] [--markdown]`: every scenario key with its default, allowed values and
/// meaning, from the key table docs/scenarios.md is generated from (`ScenarioKey`).
let scenarioCommand = Command(
    name: "scenario",
    summary: "Show what a scenario file can hold: its keys, defaults and allowed values.",
    subcommands: [scenarioKeysCommand])

private let scenarioKeysCommand: Command = {
    var command = Command(
        name: "keys",
        summary: """
            List the scenario keys of SECTION (data, model, clients, peu, lora, server, evaluation, privacy,
            secureAggregation, devices, output; or top for the top level), or of every section, with each key's
            default and allowed values. These are the tables of docs/scenarios.md, from the same source.
            """)
    command.signature.positionals = [("SECTION", "a section name, e.g. clients (default: all)", false)]
    command.signature.flags = [.init(name: "markdown", help: "print docs/scenarios.md's Markdown tables instead")]
    command.action = { arguments, console in
        let sections: [String]
        if let given = arguments.positionals.first {
            let names = ScenarioKey.sections.map { $0.isEmpty ? "top" : $0 }
            guard let index = names.firstIndex(of: given) else {
                throw CommandLineError.invalidValue(
                    command: "scenario keys", option: "SECTION", value: given,
                    allowed: names.joined(separator: ", ")
                        + (suggestion(for: given, among: names).map { " (did you mean '\($0)'?)" } ?? ""))
            }
            sections = [ScenarioKey.sections[index]]
        } else {
            sections = ScenarioKey.sections
        }
        let markdown = arguments.flags.contains("markdown")
        let blocks = sections.map { section in
            let title = section.isEmpty ? "top level" : section
            return markdown ? "<!-- keys: \(title) -->\n" + ScenarioKey.markdown(section: section)
                : "[\(title)]\n" + ScenarioKey.plainText(section: section)
        }
        console.write(blocks.joined(separator: "\n\n"))
        return 0
    }
    return command
}()
