import Foundation

/// TensorBoard event files: TFRecord records (length, masked CRC of the length, an `Event` protobuf, masked
/// CRC of the data), the first a `file_version` event, then one `Event` per round whose `Summary` holds a
/// `simple_value` per metric. Encoded by hand: the few fields below, in protobuf's wire format.
///
/// Fields (tensorflow/core/util/event.proto, core/framework/summary.proto): Event `wall_time` = 1 (double),
/// `step` = 2 (int64), `file_version` = 3 (string), `summary` = 5; Summary `value` = 1 (repeated);
/// Summary.Value `tag` = 1 (string), `simple_value` = 2 (float). TFRecord: tensorflow/core/lib/io/record_writer.cc.
package enum TensorBoardEvents {
    /// The version string TensorBoard expects in a file's first event.
    package static let fileVersion = "brain.Event:2"

    /// One TFRecord record around `payload`.
    package static func record(_ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(payload.count + 16)
        let length = littleEndian(UInt64(payload.count))
        out += length
        out += littleEndian(CRC32C.masked(length))
        out += payload
        out += littleEndian(CRC32C.masked(payload))
        return out
    }

    /// The first event of a file: its version.
    package static func versionEvent(wallTime: Double) -> [UInt8] {
        var event: [UInt8] = []
        field(1, wireType: 1, into: &event)
        event += littleEndian(wallTime.bitPattern)
        lengthDelimited(3, Array(fileVersion.utf8), into: &event)
        return event
    }

    /// A step's scalars as one event (tags in the order given).
    package static func scalarEvent(step: Int, wallTime: Double, scalars: [(tag: String, value: Double)]) -> [UInt8] {
        var summary: [UInt8] = []
        for (tag, value) in scalars {
            var item: [UInt8] = []
            lengthDelimited(1, Array(tag.utf8), into: &item)
            field(2, wireType: 5, into: &item)
            item += littleEndian(Float(value).bitPattern)
            lengthDelimited(1, item, into: &summary)
        }
        var event: [UInt8] = []
        field(1, wireType: 1, into: &event)
        event += littleEndian(wallTime.bitPattern)
        field(2, wireType: 0, into: &event)
        varint(UInt64(bitPattern: Int64(step)), into: &event)
        lengthDelimited(5, summary, into: &event)
        return event
    }

    private static func field(_ number: Int, wireType: Int, into out: inout [UInt8]) {
        varint(UInt64(number << 3 | wireType), into: &out)
    }

    private static func lengthDelimited(_ number: Int, _ bytes: [UInt8], into out: inout [UInt8]) {
        field(number, wireType: 2, into: &out)
        varint(UInt64(bytes.count), into: &out)
        out += bytes
    }

    private static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}
