import Foundation
import Learning
import Testing

@Suite struct SafeTensorsTests {
    /// A file from a header text and data bytes, built here byte by byte (independent of the writer).
    static func file(_ header: String, _ data: [UInt8] = [], length: UInt64? = nil) -> Data {
        var out = Data()
        withUnsafeBytes(of: (length ?? UInt64(header.utf8.count)).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        out.append(contentsOf: data)
        return out
    }

    @Test func roundTripKeepsNamesShapesValuesOrderAndMetadata() throws {
        let original = SafeTensors(tensors: [
            .init(name: "b.weight", shape: [2, 3], values: [1, -2, 3.5, .pi, -0.0, 1e-30]),
            .init(name: "a \"quoted\"\\name", shape: [], values: [42]),
            .init(name: "empty", shape: [0, 4], values: []),
            .init(name: "bias", shape: [3], values: [.greatestFiniteMagnitude, -.leastNonzeroMagnitude, 7]),
        ], metadata: ["format": "pt", "murmur": "1"])
        let bytes = original.encoded()
        // The data starts on an 8-byte boundary: header length is a multiple of 8.
        let headerLength = bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(headerLength % 8 == 0)
        #expect(bytes.count == 8 + Int(headerLength) + 4 * 10)
        let back = try SafeTensors.decode(bytes, file: "x.safetensors")
        #expect(back == original)
        #expect(back.tensors.map { $0.values.map(\.bitPattern) } == original.tensors.map { $0.values.map(\.bitPattern) })
    }

    /// A hand-built file: F32 little-endian bytes of 1.0 and -2.0, the tensor's offsets relative to the data.
    @Test func readsAHandBuiltFile() throws {
        let header = #"{"__metadata__":{"k":"v"},"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let read = try SafeTensors.decode(Self.file(header, [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]), file: "f")
        #expect(read.tensors == [.init(name: "t", shape: [2], values: [1, -2])])
        #expect(read.metadata == ["k": "v"])
    }

    /// F16, BF16 and F64 are read as Float: 1.0, -2.0, the smallest f16 subnormal, f16 infinity.
    @Test func convertsOtherFloatTypes() throws {
        let header = #"{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]},"d":{"dtype":"F64","shape":[1],"data_offsets":[12,20]}}"#
        let data: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00, 0x00, 0x7C,  // f16 1, -2, 2^-24, inf
                             0x80, 0x3F, 0x00, 0xC0,  // bf16 1, -2
                             0, 0, 0, 0, 0, 0, 0xF8, 0x3F]  // f64 1.5
        let read = try SafeTensors.decode(Self.file(header, data), file: "f")
        #expect(read.tensor(named: "h")?.values == [1, -2, 0x1p-24, .infinity])
        #expect(read.tensor(named: "b")?.values == [1, -2])
        #expect(read.tensor(named: "d")?.values == [1.5])
    }

    struct Malformed: CustomTestStringConvertible, Sendable {
        let id: String, bytes: Data, message: String
        var testDescription: String { id }
    }

    static let eight = [UInt8](repeating: 0, count: 8)
    static let malformed: [Malformed] = [
        .init(id: "shorter than the length field", bytes: Data([1, 2, 3]),
              message: "f: 3 bytes is too short for a safetensors file (8-byte header length, then the header)"),
        .init(id: "header over 100 MB", bytes: file("{}", length: 200_000_000),
              message: "f: header length 200000000 exceeds the 100000000-byte limit (not a safetensors file?)"),
        .init(id: "header past the end", bytes: file("{}", length: 50),
              message: "f: header length 50 runs past the end of the 10-byte file (truncated?)"),
        .init(id: "header not an object", bytes: file("[1, 2]"),
              message: "f: bad safetensors header: it must start with '{' (a JSON object)"),
        .init(id: "header not JSON", bytes: file("{\"a\":"), message: "f: bad safetensors header: not a JSON object"),
        .init(id: "metadata not strings", bytes: file(#"{"__metadata__":{"n":1}}"#),
              message: "f: bad safetensors header: __metadata__.n must be a string"),
        .init(id: "unknown dtype", bytes: file(#"{"t":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}}"#, eight),
              message: "f: tensor t: unknown dtype F31 (safetensors dtypes: F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL, F8_E4M3, F8_E5M2)"),
        .init(id: "integer dtype", bytes: file(#"{"t":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, eight),
              message: "f: tensor t: dtype I64 is not a float type; save the weights as F32, F16, BF16 or F64"),
        .init(id: "shape and offsets disagree", bytes: file(#"{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, eight),
              message: "f: tensor t: shape [3] of F32 needs 12 bytes, its offsets span 8"),
        .init(id: "negative dimension", bytes: file(#"{"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, eight),
              message: "f: tensor t: shape must be a list of non-negative integers"),
        .init(id: "fractional offset", bytes: file(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8.0]}}"#, eight),
              message: "f: tensor t: data_offsets must be [begin, end] with 0 ≤ begin ≤ end"),
        .init(id: "offsets reversed", bytes: file(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, eight),
              message: "f: tensor t: data_offsets must be [begin, end] with 0 ≤ begin ≤ end"),
        .init(id: "unknown field", bytes: file(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}"#, eight),
              message: "f: tensor t: unknown field x"),
        .init(id: "past the data", bytes: file(#"{"t":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, eight),
              message: "f: tensor t: ends at byte 16 of a 8-byte data buffer (truncated?)"),
        .init(id: "overlap", bytes: file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, eight),
              message: "f: tensors a and b overlap"),
        .init(id: "hole", bytes: file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, eight),
              message: "f: unused bytes at data offset 0, before tensor a"),
        .init(id: "trailing bytes", bytes: file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, eight),
              message: "f: the tensors use 4 of the 8 data bytes; the rest is unaccounted for"),
    ]

    @Test(arguments: malformed) func refusesMalformedFiles(_ bad: Malformed) {
        #expect(throws: SafeTensorsError.self) { try SafeTensors.decode(bad.bytes, file: "f") }
        do {
            _ = try SafeTensors.decode(bad.bytes, file: "f")
        } catch {
            #expect(error.description == bad.message)
            #expect(!error.description.contains("\n"))
        }
    }

    /// Every prefix of a valid file is refused (never a crash, never a partial read).
    @Test func everyTruncationIsRefused() {
        let bytes = SafeTensors(tensors: [.init(name: "w", shape: [3], values: [1, 2, 3])]).encoded()
        for length in 0..<bytes.count {
            #expect(throws: SafeTensorsError.self) { try SafeTensors.decode(bytes.prefix(length), file: "f") }
        }
    }

    @Test func halfPrecisionConversionMatchesKnownValues() {
        #expect(SafeTensors.halfToFloat(0x3555) == 0.333251953125)  // nearest f16 to 1/3
        #expect(SafeTensors.halfToFloat(0x7BFF) == 65504)  // largest finite
        #expect(SafeTensors.halfToFloat(0x0400) == 0x1p-14)  // smallest normal
        #expect(SafeTensors.halfToFloat(0x8000).sign == .minus)
        #expect(SafeTensors.halfToFloat(0x7E00).isNaN)
    }
}
