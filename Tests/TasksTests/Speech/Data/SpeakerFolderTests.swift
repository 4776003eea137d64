import Federation
import Foundation
import Tasks
import Testing

@Suite struct SpeakerFolderTests {
    /// A fresh folder with `speakers.jsonl` (the given lines) and the given WAV files.
    static func makeFolder(lines: [String], files: [String: [UInt8]]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-speakers-\(UUID().uuidString)")
        for (name, bytes) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(lines.joined(separator: "\n").utf8).write(to: folder.appendingPathComponent("speakers.jsonl"))
        return folder.path
    }

    static let tone8k = WAVBytes.make(.pcm16, sampleRate: 8_000, frames: (0..<800).map { [0.5 * sin(Double($0) * 0.3)] })
    static let tone16k = WAVBytes.make(.float32, sampleRate: 16_000, channels: 2, frames: (0..<320).map { _ in [0.25, 0.25] })

    @Test func loadsSpeakersLazilyWithAudioAt16kHz() throws {
        let path = try Self.makeFolder(lines: [
            #"{"speaker": "s01", "utterances": [{"audio": "s01/0001.wav", "text": "Turn on the light"}, {"audio": "s01/0002.wav", "text": "stop"}]}"#,
            "",
            #"{"speaker": "s02", "utterances": [{"audio": "s02/0001.wav", "text": "lights off"}]}"#,
        ], files: ["s01/0001.wav": Self.tone8k, "s01/0002.wav": Self.tone16k])  // s02's audio is missing
        defer { try? FileManager.default.removeItem(atPath: path) }
        let folder = try SpeakerFolder(path: path)
        #expect(folder.userCount == 2 && folder.origin == path + "/speakers.jsonl")
        let first = try folder.user(at: 0)
        #expect(first.name == "s01" && first.utterances.count == 2)
        #expect(first.utterances[0].text == "turn on the light")
        #expect(first.utterances[0].labels == (try Alphabet.english.encode("turn on the light")))
        #expect(first.utterances[0].waveform.sampleRate == 16_000 && first.utterances[0].waveform.samples.count == 1_600)
        #expect(first.utterances[1].waveform.samples == [Float](repeating: 0.25, count: 320))
        // The missing file is found only when its speaker is loaded, and named with the line (3: the blank counts).
        let message = "\(path)/speakers.jsonl:3: utterance 1: s02/0001.wav: cannot be read: no such file"
        #expect(throws: DataError.corruptLine(path: path + "/speakers.jsonl", line: 3,
                                              reason: "utterance 1: s02/0001.wav: cannot be read: no such file")) {
            try folder.user(at: 1)
        }
        #expect(DataError.corruptLine(path: path + "/speakers.jsonl", line: 3,
                                      reason: "utterance 1: s02/0001.wav: cannot be read: no such file").description == message)
        #expect(throws: DataError.self) { try folder.validateAll() }
    }

    struct BadLine: CustomTestStringConvertible, Sendable {
        var name: String
        var line: String
        var reason: String
        var testDescription: String { name }
    }

    static let badLines: [BadLine] = [
        BadLine(name: "not JSON", line: #"{"speaker": s1 "utterances"}"#, reason: "not a JSON object"),
        BadLine(name: "no speaker", line: #"{"utterances": []}"#, reason: "missing \"speaker\" (a non-empty string)"),
        BadLine(name: "unknown key", line: #"{"speaker": "s1", "age": 3, "utterances": []}"#,
                reason: "unknown key \"age\"; allowed: speaker, utterances"),
        BadLine(name: "utterances not a list", line: #"{"speaker": "s1", "utterances": "a.wav"}"#,
                reason: "missing \"utterances\" (a list of {\"audio\": path, \"text\": transcript})"),
        BadLine(name: "no utterances", line: #"{"speaker": "s1", "utterances": []}"#, reason: "speaker \"s1\" has no utterances"),
        BadLine(name: "utterance not an object", line: #"{"speaker": "s1", "utterances": ["a.wav"]}"#,
                reason: "utterance 1: not an object {\"audio\": path, \"text\": transcript}"),
        BadLine(name: "no text", line: #"{"speaker": "s1", "utterances": [{"audio": "good.wav", "text": "ok"}, {"audio": "good.wav"}]}"#,
                reason: "utterance 2: missing \"text\" (a string)"),
        BadLine(name: "utterance key", line: #"{"speaker": "s1", "utterances": [{"audio": "good.wav", "txt": "ok"}]}"#,
                reason: "utterance 1: unknown key \"txt\"; allowed: audio, text"),
        BadLine(name: "absolute path", line: #"{"speaker": "s1", "utterances": [{"audio": "/tmp/a.wav", "text": "ok"}]}"#,
                reason: "utterance 1: audio path \"/tmp/a.wav\" is absolute; paths are relative to the folder"),
        BadLine(name: "digit", line: #"{"speaker": "s1", "utterances": [{"audio": "good.wav", "text": "room 101"}]}"#,
                reason: "utterance 1: text has \"1\" at character 6, which is not in the alphabet (a–z, space, apostrophe, hyphen); spell numbers and symbols out"),
        BadLine(name: "truncated audio", line: #"{"speaker": "s1", "utterances": [{"audio": "cut.wav", "text": "ok"}]}"#,
                reason: "utterance 1: cut.wav: truncated WAV file: the data chunk declares 1600 bytes, 1000 present"),
        BadLine(name: "not audio", line: #"{"speaker": "s1", "utterances": [{"audio": "speakers.jsonl", "text": "ok"}]}"#,
                reason: "utterance 1: speakers.jsonl: not a WAV file (expected \"RIFF\"…\"WAVE\", found \"{\"sp\"); convert it to PCM WAV"),
    ]

    /// Every bad line is one error naming speakers.jsonl and the line; the good line before it loads.
    @Test(arguments: badLines)
    func badLinesAreErrorsWithFileAndLine(_ bad: BadLine) throws {
        let good = #"{"speaker": "s0", "utterances": [{"audio": "good.wav", "text": "ok"}]}"#
        let path = try Self.makeFolder(lines: [good, bad.line], files: ["good.wav": Self.tone8k, "cut.wav": Array(Self.tone8k.prefix(1044))])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let folder = try SpeakerFolder(path: path)
        _ = try folder.user(at: 0)
        #expect(throws: DataError.corruptLine(path: path + "/speakers.jsonl", line: 2, reason: bad.reason)) { try folder.user(at: 1) }
    }

    @Test func folderProblemsAreReportedWhenOpened() throws {
        #expect(throws: DataError.missingFile(path: "/no/such/folder", expected: "a folder with speakers.jsonl and its audio")) {
            try SpeakerFolder(path: "/no/such/folder")
        }
        let empty = try Self.makeFolder(lines: ["", "  "], files: [:])
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(throws: DataError.corruptLine(path: empty + "/speakers.jsonl", line: 1, reason: "the file has no speakers")) {
            try SpeakerFolder(path: empty)
        }
        let broken = try Self.makeFolder(lines: [#"{"speaker": "s0", "utterances": []}"#, "[1, 2]"], files: [:])
        defer { try? FileManager.default.removeItem(atPath: broken) }
        #expect(throws: DataError.corruptLine(path: broken + "/speakers.jsonl", line: 2, reason: "not a JSON object on one line")) {
            try SpeakerFolder(path: broken)
        }
    }
}
