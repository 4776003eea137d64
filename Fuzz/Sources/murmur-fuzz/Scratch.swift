import Foundation

/// This process's scratch folder, where a harness writes the input of a parser that reads a path.
///
/// One folder a process (libFuzzer's -jobs and -fork run several), made with mkdtemp and removed when
/// the process exits (main.swift): it holds a few small files that each input overwrites.
final class Scratch: Sendable {
    static let shared = Scratch()

    let folder: String

    private init() {
        var template = Array((NSTemporaryDirectory() + "/murmur-fuzz-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            fatalError("murmur-fuzz: cannot make a scratch folder in \(NSTemporaryDirectory())")
        }
        folder = String(cString: made)
        try? FileManager.default.createDirectory(atPath: path("text"), withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: path("speech"), withIntermediateDirectories: true)
        _ = write(Array(Self.vocabulary.utf8), to: "text/vocab.txt")
        _ = write(SeedFiles.wav(seconds: 0.25, sampleRate: 8_000, bitsPerSample: 16), to: "speech/a.wav")
    }

    /// The vocabulary of the text folder the users harness fills.
    static let vocabulary = "<pad>\n<unk>\n<bos>\n<eos>\nthe\ncat\nsat\non\nmat\n"

    /// The path of `name` inside the folder.
    func path(_ name: String) -> String { folder + "/" + name }

    /// Writes `bytes` to `name` in the folder (replacing it) and returns its path.
    func write(_ bytes: [UInt8], to name: String) -> String {
        let target = path(name)
        guard FileManager.default.createFile(atPath: target, contents: Data(bytes)) else {
            fatalError("murmur-fuzz: cannot write \(target)")
        }
        return target
    }

    /// The text folder with `users` as its users.jsonl.
    func textFolder(users: [UInt8]) -> String {
        _ = write(users, to: "text/users.jsonl")
        return path("text")
    }

    /// The speech folder (holding a.wav) with `speakers` as its speakers.jsonl.
    func speechFolder(speakers: [UInt8]) -> String {
        _ = write(speakers, to: "speech/speakers.jsonl")
        return path("speech")
    }
}
