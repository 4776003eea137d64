import Experiments
import Federation
import Foundation
import Tasks

/// One parser under fuzzing: its name on the command line and a function that hands it one input.
///
/// A harness passes if the parser returns or throws its typed error for every input; a trap, a sanitizer
/// report or a hang is a finding (docs/reliability.md, "Fuzzing"). Parsers that read a path get the
/// input written to a file in this process's scratch folder, so the path-reading code is what is fuzzed.
struct Harness: Sendable {
    var name: String
    var summary: String
    /// Hands the parser one input; nil if it accepted it, else the error it threw.
    var run: @Sendable ([UInt8]) -> String?

    /// Every harness, in the order the docs list them.
    static let all: [Harness] = [
        Harness(name: "scenario", summary: "scenario JSON (Scenario(json:file:))") { bytes in
            outcome { _ = try Scenario(json: Data(bytes), file: Scratch.shared.path("scenario.json")) }
        },
        Harness(name: "set", summary: "--set overrides, one a line, applied to the quickstart scenario") { bytes in
            let overrides = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
            return outcome {
                _ = try Scenario(json: Data(EmbeddedScenarios.quickstart.utf8), file: Scratch.shared.path("quickstart.json"),
                                 overrides: overrides)
            }
        },
        Harness(name: "users", summary: "users.jsonl of a text folder (with a fixed vocab.txt)") { bytes in
            let folder = Scratch.shared.textFolder(users: bytes)
            return outcome { _ = try FederatedTextFolder(path: folder).validateAll() }
        },
        Harness(name: "vocab", summary: "vocab.txt (Vocabulary.load)") { bytes in
            let path = Scratch.shared.write(bytes, to: "vocab.txt")
            return outcome { _ = try Vocabulary.load(from: URL(fileURLWithPath: path)) }
        },
        Harness(name: "trace", summary: "a device trace, JSONL (DeviceTrace(contentsOf:profiles:))") { bytes in
            let path = Scratch.shared.write(bytes, to: "trace.jsonl")
            return outcome { _ = try DeviceTrace(contentsOf: path, profiles: DeviceProfiles.standardByName) }
        },
        Harness(name: "profile", summary: "a device profile, JSON (DeviceProfiles.read)") { bytes in
            let path = Scratch.shared.write(bytes, to: "profile.json")
            return outcome { _ = try DeviceProfiles.read(contentsOf: path) }
        },
        Harness(name: "checkpoint", summary: "a checkpoint file (TrainingCheckpoint.read)") { bytes in
            let path = Scratch.shared.write(bytes, to: "checkpoint.bin")
            return outcome { _ = try TrainingCheckpoint.read(from: URL(fileURLWithPath: path)) }
        },
        Harness(name: "speakers", summary: "speakers.jsonl of a speech folder (with a fixed short WAV, a.wav)") { bytes in
            let folder = Scratch.shared.speechFolder(speakers: bytes)
            return outcome { _ = try SpeakerFolder(path: folder).validateAll() }
        },
        Harness(name: "wav", summary: "a WAV file (WAVReader.decode)") { bytes in
            outcome { _ = try WAVReader.decode(bytes, path: "fuzz.wav") }
        },
    ]

    /// The harness called `name` on the command line.
    static func named(_ name: String) -> Harness? { all.first { $0.name == name } }

    /// nil when `parse` returns, the error's text when it throws (a trap is not caught: it is the finding).
    private static func outcome(_ parse: () throws -> Void) -> String? {
        do { try parse() } catch { return "\(error)" }
        return nil
    }
}
