import Foundation
import Privacy

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

/// The state of a run at a round boundary: global parameters, server optimizer state, the round's
/// other state (clip bound, clock, privacy ledgers) and which run it belongs to.
///
/// Stored as `MURMURCK`, a little-endian UInt32 header length, a JSON header (format, version, the
/// typed fields below, vector names and lengths, a checksum of the vectors), then each vector as
/// little-endian float32 (docs/formats.md). Written to a temporary file and renamed into place, so a
/// crash leaves the previous checkpoint intact; a damaged file fails its checksum and is refused.
package struct TrainingCheckpoint: Sendable, Equatable {
    package var completedRounds: Int
    package var parameters: [Float]
    package var serverOptimizerState: [String: [Float]]
    /// The adaptive (or fixed) clip bound of the next round (runs with differential privacy).
    package var clipBound: Double?
    /// The simulated clock at the end of the last round (runs with devices).
    package var simulatedSeconds: Double?
    /// The accountants' ledgers (runs with differential privacy).
    package var privacyLedgers: PrivacyLedgers?
    /// Each user's participations so far, under a participation cap (an optional field of version 2:
    /// checkpoints without it read as before).
    package var participation: ParticipationLedger?
    /// The run folder's record: which scenario, and how much of metrics.jsonl this state covers.
    package var run: RunRecord?

    /// What a run folder's checkpoint records of the run, so `--resume` can check it continues the
    /// same scenario and cut metrics.jsonl back to this round.
    package struct RunRecord: Sendable, Equatable, Codable {
        /// The resolved scenario, as written to scenario.json.
        package var scenario: String
        /// Bytes of metrics.jsonl written up to and including this round.
        package var metricsBytes: Int

        package init(scenario: String, metricsBytes: Int) {
            self.scenario = scenario
            self.metricsBytes = metricsBytes
        }
    }

    package static let format = "murmur-checkpoint"
    package static let version = 2
    private static let magic = Array("MURMURCK".utf8)

    private struct Header: Codable {
        var format: String
        var version: Int
        var completedRounds: Int
        var clipBound: Double?
        var simulatedSeconds: Double?
        var privacyLedgers: PrivacyLedgers?
        var participation: ParticipationLedger?
        var run: RunRecord?
        var vectors: [Vector]
        /// FNV-1a (64-bit) of the vector bytes, in hex: catches a truncated or damaged file.
        var checksum: String
        struct Vector: Codable { var name: String; var count: Int }
    }

    /// Version 1 (before 2026-12): everything but the vectors as strings in `metadata`.
    private struct HeaderVersion1: Codable {
        var version: Int
        var completedRounds: Int
        var metadata: [String: String]
        var vectors: [Header.Vector]
    }

    package init(completedRounds: Int, parameters: [Float], serverOptimizerState: [String: [Float]]) {
        self.completedRounds = completedRounds
        self.parameters = parameters
        self.serverOptimizerState = serverOptimizerState
    }

    /// Writes the checkpoint to `url` atomically.
    package func write(to url: URL) throws {
        try encoded().write(to: url, options: .atomic)
    }

    /// The checkpoint as the bytes of its file.
    package func encoded() throws -> Data {
        let optimizerNames = serverOptimizerState.keys.sorted()
        let vectors = [("parameters", parameters)] + optimizerNames.map { ("optimizer." + $0, serverOptimizerState[$0]!) }
        var body = Data(capacity: vectors.reduce(0) { $0 + 4 * $1.1.count })
        for (_, values) in vectors {
            values.withUnsafeBufferPointer { buffer in
                buffer.forEach { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            }
        }
        let header = Header(format: Self.format, version: Self.version, completedRounds: completedRounds,
                            clipBound: clipBound, simulatedSeconds: simulatedSeconds, privacyLedgers: privacyLedgers,
                            participation: participation, run: run, vectors: vectors.map { .init(name: $0.0, count: $0.1.count) },
                            checksum: Self.checksum(body))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let headerData = try encoder.encode(header)
        var data = Data(Self.magic)
        withUnsafeBytes(of: UInt32(headerData.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(headerData)
        data.append(body)
        return data
    }

    /// Reads a checkpoint written by `write(to:)` (or by an older Murmur, version 1).
    package static func read(from url: URL) throws(CheckpointError) -> TrainingCheckpoint {
        func fail(_ reason: String) -> CheckpointError { .unreadable(path: url.path, reason: reason) }
        guard let data = try? Data(contentsOf: url) else { throw fail("cannot read the file") }
        let bytes = [UInt8](data)
        guard bytes.count >= 12, Array(bytes[0..<8]) == magic else { throw fail("not a Murmur checkpoint") }
        let headerLength = Int(UInt32(bytes[8]) | UInt32(bytes[9]) << 8 | UInt32(bytes[10]) << 16 | UInt32(bytes[11]) << 24)
        guard bytes.count >= 12 + headerLength else { throw fail("truncated header") }
        let headerData = Data(bytes[12..<(12 + headerLength)])
        let decoder = JSONDecoder()
        let header: Header
        if let current = try? decoder.decode(Header.self, from: headerData) {
            guard current.format == format, current.version == version else {
                throw fail("format \(current.format) version \(current.version); this Murmur reads \(format) version "
                    + "\(version) (and 1): run the scenario again with this Murmur")
            }
            header = current
        } else if let old = try? decoder.decode(HeaderVersion1.self, from: headerData), old.version == 1 {
            header = upgraded(old)
        } else {
            throw fail("corrupt header")
        }
        var offset = 12 + headerLength
        // Summed with overflow checks: a damaged or hostile header's counts must be refused, not trap.
        var floats = 0
        for vector in header.vectors {
            let (sum, overflow) = floats.addingReportingOverflow(vector.count)
            guard vector.count >= 0, !overflow else { throw fail("truncated, or longer than its header says") }
            floats = sum
        }
        guard floats <= (bytes.count - offset) / 4, offset + floats * 4 == bytes.count else {
            throw fail("truncated, or longer than its header says")
        }
        if !header.checksum.isEmpty, header.checksum != checksum(Data(bytes[offset...])) {
            throw fail("its data does not match the checksum in its header (the file is damaged)")
        }
        var vectors: [String: [Float]] = [:]
        for vector in header.vectors {
            vectors[vector.name] = (0..<vector.count).map { i in
                let p = offset + 4 * i
                return Float(bitPattern: UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16
                    | UInt32(bytes[p + 3]) << 24)
            }
            offset += vector.count * 4
        }
        guard let parameters = vectors.removeValue(forKey: "parameters") else { throw fail("no parameters") }
        var state: [String: [Float]] = [:]
        for (name, values) in vectors where name.hasPrefix("optimizer.") { state[String(name.dropFirst(10))] = values }
        var checkpoint = TrainingCheckpoint(completedRounds: header.completedRounds, parameters: parameters,
                                            serverOptimizerState: state)
        checkpoint.clipBound = header.clipBound
        checkpoint.simulatedSeconds = header.simulatedSeconds
        checkpoint.privacyLedgers = header.privacyLedgers
        checkpoint.participation = header.participation
        checkpoint.run = header.run
        return checkpoint
    }

    /// A version-1 header's string metadata in the typed fields (it had no checksum).
    private static func upgraded(_ old: HeaderVersion1) -> Header {
        let m = old.metadata
        func ledger(_ key: String) -> [DPEvent]? {
            m[key].flatMap { try? JSONDecoder().decode([DPEvent].self, from: Data($0.utf8)) }
        }
        let ledgers = ledger("privacyLedger").map { PrivacyLedgers(accounted: $0, asRun: ledger("privacyLedgerAsRun")) }
        let run = m["scenario"].map { RunRecord(scenario: $0, metricsBytes: Int(m["metricsBytes"] ?? "0") ?? 0) }
        return Header(format: format, version: 1, completedRounds: old.completedRounds, clipBound: m["clipBound"].flatMap(Double.init),
                      simulatedSeconds: m["simulatedSeconds"].flatMap(Double.init), privacyLedgers: ledgers, participation: nil, run: run,
                      vectors: old.vectors, checksum: "")
    }

    /// FNV-1a, 64-bit (Fowler, Noll, Vo): an integrity check against damage, not a cryptographic hash.
    package static func checksum(_ data: Data) -> String {
        let hash = data.withUnsafeBytes { bytes in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
            return hash
        }
        return String(hash, radix: 16)
    }
}
