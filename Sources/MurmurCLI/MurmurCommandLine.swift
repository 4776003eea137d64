import Foundation
import Experiments
import Federation
import SecureAggregation

/// The `murmur` command line: finds the command named by the arguments, parses its options and runs it.
///
/// Errors become one line on stderr and a distinct exit status (64 for a bad command line, 65 for a bad
/// scenario, dataset, profile or trace, 1 for a failure while running); never a crash trace.
public enum MurmurCommandLine {
    /// Runs the tool with `arguments` (without the program name) and exits the process with its status.
    public static func main(_ arguments: [String]) -> Never {
        OpenSSLProcess.initialiseWithoutExitCleanup()
        exit(run(arguments, console: .standard))
    }

    /// Runs the tool and returns the exit status, writing to `console`.
    public static func run(_ arguments: [String], console: Console) -> Int32 {
        do {
            return try dispatch(arguments, command: rootCommand, path: "murmur", console: console)
        } catch let error as CommandLineError {
            console.writeError("murmur: \(error)")
            return error.exitCode
        } catch let error as ScenarioError {
            console.writeError("murmur: \(error)")
            return 65  // EX_DATAERR: the input was read but is not valid
        } catch let error as DataError {
            console.writeError("murmur: \(error)")
            return 65
        } catch let error as DeviceError {
            console.writeError("murmur: \(error)")
            return 65
        } catch let interrupted as RunInterrupted {
            console.writeError("murmur: \(interrupted)")
            return 130  // 128 + SIGINT, as a shell reports an interrupted command
        } catch {
            console.writeError("murmur: \(error)")
            return 1
        }
    }

    private static func dispatch(
        _ arguments: [String], command: Command, path: String, console: Console
    ) throws -> Int32 {
        if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) && !command.subcommandNamed(arguments.first) {
            console.write(command.help(path: path))
            return 0
        }
        if !command.subcommands.isEmpty {
            guard let first = arguments.first else {
                console.write(command.help(path: path))
                return command.action == nil ? 64 : 0
            }
            if first == "help" {
                let target = arguments.dropFirst().first.flatMap { name in
                    command.subcommands.first { $0.name == name }
                }
                console.write((target ?? command).help(path: target.map { "\(path) \($0.name)" } ?? path))
                return 0
            }
            if first == "--version" && command.name == "murmur" {
                console.write("murmur \(MurmurVersion.string), commit \(MurmurBuild.commit)")
                return 0
            }
            guard let subcommand = command.subcommands.first(where: { $0.name == first }) else {
                let names = command.subcommands.map(\.name)
                if first.hasPrefix("-") {
                    throw CommandLineError.unknownOption(
                        command: path, option: first, suggestion: suggestion(for: first, among: ["--help", "--version"]))
                }
                throw CommandLineError.unknownCommand(
                    path: path, name: first, suggestion: suggestion(for: first, among: names), available: names)
            }
            return try dispatch(Array(arguments.dropFirst()), command: subcommand, path: "\(path) \(first)",
                                console: console)
        }
        let commandName = String(path.dropFirst("murmur ".count))
        let parsed = try parseArguments(arguments, signature: command.signature, command: commandName)
        guard let action = command.action else { return 64 }
        return try action(parsed, console)
    }
}

extension Command {
    /// Whether `name` names one of this group's subcommands (so `--help` belongs to it, not to us).
    fileprivate func subcommandNamed(_ name: String?) -> Bool {
        guard let name else { return false }
        return subcommands.contains { $0.name == name }
    }
}

/// The tool's version, printed by `murmur --version`.
enum MurmurVersion {
    static let string = MurmurBuild.version
}
