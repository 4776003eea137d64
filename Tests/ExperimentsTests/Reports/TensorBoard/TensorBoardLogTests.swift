import Experiments
import Foundation
import Testing

/// TensorBoard event files, decoded here by an independent reader of TFRecord framing and the protobuf wire
/// format: every record's two masked CRCs checked, every scalar equal to the metrics line it came from.
@Suite struct TensorBoardLogTests {
    /// CRC-32C's published check value and TFRecord's mask (RFC 3720 §B.4; tensorflow crc32c.h).
    @Test func crc32cKnownAnswers() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)  // RFC 3720 §B.4, 32 zero bytes
        let crc = CRC32C.checksum(Array("123456789".utf8))
        #expect(CRC32C.masked(Array("123456789".utf8)) == ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    struct Event { var step: Int64 = 0; var wallTime: Double = 0; var version: String?; var scalars: [String: Float] = [:] }

    /// The events of a file, each record's length and data CRC checked.
    static func decode(_ data: [UInt8]) throws -> [Event] {
        struct Corrupt: Error { let reason: String }
        func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(data[at + $1]) << (8 * UInt64($1)) } }
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(data[at + $1]) << (8 * UInt32($1)) } }
        func masked(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            let c = CRC32C.checksum(bytes)
            return ((c >> 15) | (c << 17)) &+ 0xA282_EAD8
        }
        var events: [Event] = [], at = 0
        while at < data.count {
            guard at + 12 <= data.count else { throw Corrupt(reason: "truncated header") }
            let length = Int(u64(at))
            guard u32(at + 8) == masked(data[at..<(at + 8)]) else { throw Corrupt(reason: "length CRC") }
            let body = data[(at + 12)..<(at + 12 + length)]
            guard u32(at + 12 + length) == masked(body) else { throw Corrupt(reason: "data CRC") }
            events.append(try parseEvent(Array(body)))
            at += 16 + length
        }
        return events
    }

    /// (field, wire type, value bytes or varint) of one protobuf message.
    static func fields(_ bytes: [UInt8]) -> [(Int, Int, [UInt8], UInt64)] {
        var out: [(Int, Int, [UInt8], UInt64)] = [], i = 0
        func varint() -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while true {
                let b = bytes[i]; i += 1
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }
        while i < bytes.count {
            let key = Int(varint()), wire = key & 7
            switch wire {
            case 0: out.append((key >> 3, 0, [], varint()))
            case 1: out.append((key >> 3, 1, Array(bytes[i..<(i + 8)]), 0)); i += 8
            case 5: out.append((key >> 3, 5, Array(bytes[i..<(i + 4)]), 0)); i += 4
            default:
                let n = Int(varint())
                out.append((key >> 3, 2, Array(bytes[i..<(i + n)]), 0)); i += n
            }
        }
        return out
    }

    static func parseEvent(_ bytes: [UInt8]) throws -> Event {
        var event = Event()
        func le<T: FixedWidthInteger>(_ b: [UInt8], _: T.Type) -> T { b.reversed().reduce(0) { $0 << 8 | T($1) } }
        for (number, _, value, integer) in fields(bytes) {
            switch number {
            case 1: event.wallTime = Double(bitPattern: le(value, UInt64.self))
            case 2: event.step = Int64(bitPattern: integer)
            case 3: event.version = String(decoding: value, as: UTF8.self)
            case 5:
                for (_, _, item, _) in fields(value) {
                    var tag = "", scalar: Float = .nan
                    for (n, _, v, _) in fields(item) {
                        if n == 1 { tag = String(decoding: v, as: UTF8.self) }
                        if n == 2 { scalar = Float(bitPattern: le(v, UInt32.self)) }
                    }
                    event.scalars[tag] = scalar
                }
            default: break
            }
        }
        return event
    }

    /// A run with `output.tensorboard` writes one event per metrics line as it goes; `report --tensorboard`'s
    /// writer makes the same events from metrics.jsonl afterwards.
    @Test func eventsDecodeToTheMetricsLines() throws {
        let folder = ScenarioRunnerTests.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let text = ScenarioRunnerTests.json.replacingOccurrences(of: #""output": {"checkpointEvery": 2}"#,
                                                                 with: #""output": {"checkpointEvery": 2, "tensorboard": true}"#)
        _ = try ScenarioRunnerTests.run(text, threads: 1, folder: folder)
        let lines = try String(contentsOfFile: folder + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let file = folder + "/" + TensorBoardLog.fileName
        let live = try Self.decode(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        try TensorBoardLog.write(runFolder: folder)
        let redrawn = try Self.decode(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        for events in [live, redrawn] {
            #expect(events.first?.version == "brain.Event:2")
            #expect(events.count == lines.count + 1)
            for (event, line) in zip(events.dropFirst(), lines) {
                #expect(event.step == Int64(line["round"] as? Int ?? -1))
                #expect(event.scalars["validationPerplexity"] == (line["validationPerplexity"] as? Double).map(Float.init))
                #expect(event.scalars["trainLoss"] == (line["trainLoss"] as? Double).map(Float.init))
                #expect(event.scalars["bytesUp"] == (line["bytesUp"] as? Int).map(Float.init))
                #expect(event.scalars["round"] == nil)
            }
            #expect(zip(events.dropFirst(), events.dropFirst(2)).allSatisfy { $0.wallTime <= $1.wallTime })
        }
        #expect(live.map(\.scalars) == redrawn.map(\.scalars))
    }

    /// A damaged byte anywhere in a record is caught by one of its CRCs.
    @Test func aFlippedByteFailsItsCRC() throws {
        var record = TensorBoardEvents.record(TensorBoardEvents.scalarEvent(step: 3, wallTime: 1, scalars: [("a", 2)]))
        #expect(try Self.decode(record).first?.scalars == ["a": 2])
        for index in record.indices {
            record[index] ^= 0x10
            #expect(throws: (any Error).self) { try Self.decode(record) }
            record[index] ^= 0x10
        }
    }
}
