import Foundation

/// A checkpoint that cannot be used: unreadable, corrupt, or from another run.
package enum CheckpointError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case mismatch(String)

    package var description: String {
        switch self {
        case let .unreadable(path, reason): "\(path): not a usable checkpoint: \(reason)"
        case let .mismatch(reason): "the checkpoint does not fit this run: \(reason)"
        }
    }
}

/// The state of a run at a round boundary: global parameters, server optimizer state and the caller's
/// metadata (the runner stores the scenario's fingerprint and how much of metrics.jsonl it covers).
///
/// Stored as `MURMURCK`, a little-endian UInt32 header length, a JSON header (version, rounds, metadata,
/// vector names and lengths), then each vector as little-endian float32 (docs/formats.md). Written to a
/// temporary file and renamed into place, so a crash leaves the previous checkpoint intact.
package struct TrainingCheckpoint: Sendable, Equatable {
    package var completedRounds: Int
    package var parameters: [Float]
    package var serverOptimizerState: [String: [Float]]
    package var metadata: [String: String] = [:]

    private static let magic = Array("MURMURCK".utf8)
    private struct Header: Codable {
        var version: Int
        var completedRounds: Int
        var metadata: [String: String]
        var vectors: [Vector]
        struct Vector: Codable { var name: String; var count: Int }
    }

    package init(completedRounds: Int, parameters: [Float], serverOptimizerState: [String: [Float]]) {
        self.completedRounds = completedRounds
        self.parameters = parameters
        self.serverOptimizerState = serverOptimizerState
    }

    /// Writes the checkpoint to `url` atomically.
    package func write(to url: URL) throws {
        let optimizerNames = serverOptimizerState.keys.sorted()
        let vectors = [("parameters", parameters)] + optimizerNames.map { ("optimizer." + $0, serverOptimizerState[$0]!) }
        let header = Header(version: 1, completedRounds: completedRounds, metadata: metadata,
                            vectors: vectors.map { .init(name: $0.0, count: $0.1.count) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let headerData = try encoder.encode(header)
        var data = Data(Self.magic)
        withUnsafeBytes(of: UInt32(headerData.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(headerData)
        for (_, values) in vectors {
            values.withUnsafeBufferPointer { buffer in
                buffer.forEach { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            }
        }
        try data.write(to: url, options: .atomic)
    }

    /// Reads a checkpoint written by `write(to:)`.
    package static func read(from url: URL) throws(CheckpointError) -> TrainingCheckpoint {
        func fail(_ reason: String) -> CheckpointError { .unreadable(path: url.path, reason: reason) }
        guard let data = try? Data(contentsOf: url) else { throw fail("cannot read the file") }
        let bytes = [UInt8](data)
        guard bytes.count >= 12, Array(bytes[0..<8]) == magic else { throw fail("not a Murmur checkpoint") }
        let headerLength = Int(UInt32(bytes[8]) | UInt32(bytes[9]) << 8 | UInt32(bytes[10]) << 16 | UInt32(bytes[11]) << 24)
        guard bytes.count >= 12 + headerLength,
              let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[12..<(12 + headerLength)])),
              header.version == 1 else { throw fail("corrupt header") }
        var offset = 12 + headerLength
        var vectors: [String: [Float]] = [:]
        for vector in header.vectors {
            guard vector.count >= 0, offset + vector.count * 4 <= bytes.count else { throw fail("truncated") }
            vectors[vector.name] = (0..<vector.count).map { i in
                let p = offset + 4 * i
                return Float(bitPattern: UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16
                    | UInt32(bytes[p + 3]) << 24)
            }
            offset += vector.count * 4
        }
        guard offset == bytes.count, let parameters = vectors.removeValue(forKey: "parameters") else {
            throw fail("truncated or missing parameters")
        }
        var state: [String: [Float]] = [:]
        for (name, values) in vectors where name.hasPrefix("optimizer.") { state[String(name.dropFirst(10))] = values }
        var checkpoint = TrainingCheckpoint(completedRounds: header.completedRounds, parameters: parameters,
                                            serverOptimizerState: state)
        checkpoint.metadata = header.metadata
        return checkpoint
    }
}
