import Federation
import Foundation
import Testing

/// Reading checkpoint files: what is written reads back, and damaged or hostile files are refused with
/// `CheckpointError` rather than trapping (the inputs fuzzing found, docs/reliability.md "Fuzzing").
@Suite struct TrainingCheckpointTests {
    static func write(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID().uuidString).bin")
        try Data(bytes).write(to: url)
        return url
    }

    /// `MURMURCK`, the header's length and the header, with no vector bytes after it.
    static func file(header: String) -> [UInt8] {
        let json = Array(header.utf8)
        return Array("MURMURCK".utf8) + (0..<4).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) } + json
    }

    static func header(counts: [Int]) -> String {
        let vectors = counts.enumerated().map { #"{"name": "v\#($0.offset)", "count": \#($0.element)}"# }
        return #"{"format": "murmur-checkpoint", "version": 2, "completedRounds": 1, "checksum": "", "#
            + #""vectors": [\#(vectors.joined(separator: ", "))]}"#
    }

    @Test func aWrittenCheckpointReadsBack() throws {
        var checkpoint = TrainingCheckpoint(completedRounds: 5, parameters: [1, -2.5, 0.125],
                                            serverOptimizerState: ["m": [0.5, 0.25, 0]])
        checkpoint.clipBound = 0.7
        checkpoint.simulatedSeconds = 12.5
        let url = try Self.write([UInt8](try checkpoint.encoded()))
        #expect(try TrainingCheckpoint.read(from: url) == checkpoint)
    }

    /// Vector counts whose total overflows Int (one huge count, or two that wrap) trapped in the length
    /// check; they are a header that does not match the file's size.
    @Test(arguments: [[Int.max / 2], [Int.max, Int.max], [Int.max, 2], [3, -1]])
    func countsThatOverflowAreRefused(counts: [Int]) throws {
        let url = try Self.write(Self.file(header: Self.header(counts: counts)))
        #expect(throws: CheckpointError.self) { try TrainingCheckpoint.read(from: url) }
        do { _ = try TrainingCheckpoint.read(from: url) } catch {
            #expect(error.description == "\(url.path): not a usable checkpoint: truncated, or longer than its header says")
        }
    }
}
