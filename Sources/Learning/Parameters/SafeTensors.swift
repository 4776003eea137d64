import Foundation

/// Named float tensors in the safetensors format (Hugging Face): an 8-byte little-endian header length N,
/// N bytes of JSON (`{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__":
/// {..}}`, padded with spaces), then the raw little-endian tensor bytes, offsets relative to the end of the
/// header.
///
/// Murmur's interchange with PyTorch (`murmur export`, `model.initialWeights`): values are held as `Float`,
/// read from F32, F16, BF16 or F64 and written as F32. The reader is strict, as the reference Rust
/// implementation is: the header must fit the file and stay under 100 MB, every tensor's byte range must
/// match its dtype and shape, and the ranges must tile the data buffer exactly (no overlap, no hole, no
/// trailing bytes) — a damaged or hand-made file is refused with one line naming the tensor.
/// Source: huggingface/safetensors, README "Format" and `safetensors/src/tensor.rs` (`validate`).
package struct SafeTensors: Sendable, Equatable {
    /// One tensor: its name, shape (row-major, as PyTorch) and values.
    package struct Entry: Sendable, Equatable {
        package var name: String
        package var shape: [Int]
        package var values: [Float]

        package init(name: String, shape: [Int], values: [Float]) {
            precondition(shape.reduce(1, *) == values.count, "SafeTensors.Entry: \(values.count) values for shape \(shape)")
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// The tensors, in the order of their bytes in the file (the writer keeps the order given).
    package var tensors: [Entry]
    /// The free-form `__metadata__` strings.
    package var metadata: [String: String]

    package init(tensors: [Entry], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor with this name, if any.
    package func tensor(named name: String) -> Entry? { tensors.first { $0.name == name } }

    /// The largest header the reader accepts (the reference implementation's limit).
    package static let maximumHeaderBytes = 100_000_000
}

/// The element types of the safetensors format, with their sizes; the reader converts the float ones.
package enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8"
    case bool = "BOOL", f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

    /// Bytes per element.
    package var size: Int {
        switch self {
        case .f64, .i64, .u64: 8
        case .f32, .i32, .u32: 4
        case .f16, .bf16, .i16, .u16: 2
        case .i8, .u8, .bool, .f8e4m3, .f8e5m2: 1
        }
    }

    /// Whether the reader turns this type into `Float` values (the others are refused: a model's weights
    /// are floats, and an integer tensor is a buffer this importer has no place for).
    package var isReadable: Bool { [.f64, .f32, .f16, .bf16].contains(self) }
}

/// A safetensors file Murmur cannot use: each case renders as one line naming the file and the fix.
package enum SafeTensorsError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case unwritable(file: String, reason: String)
    case tooShort(file: String, bytes: Int)
    case headerTooLarge(file: String, bytes: UInt64)
    case headerBeyondFile(file: String, headerBytes: UInt64, fileBytes: Int)
    case badHeader(file: String, reason: String)
    case badEntry(file: String, tensor: String, reason: String)
    case unknownDType(file: String, tensor: String, dtype: String)
    case unsupportedDType(file: String, tensor: String, dtype: String)
    case sizeMismatch(file: String, tensor: String, shape: [Int], dtype: String, bytes: Int)
    case outOfBounds(file: String, tensor: String, end: Int, dataBytes: Int)
    case overlap(file: String, tensor: String, other: String)
    case hole(file: String, at: Int, before: String)
    case trailingBytes(file: String, used: Int, dataBytes: Int)

    package var description: String {
        switch self {
        case let .unreadable(file, reason): "\(file): cannot be read: \(reason)"
        case let .unwritable(file, reason): "\(file): cannot be written: \(reason)"
        case let .tooShort(file, bytes):
            "\(file): \(bytes) bytes is too short for a safetensors file (8-byte header length, then the header)"
        case let .headerTooLarge(file, bytes):
            "\(file): header length \(bytes) exceeds the \(SafeTensors.maximumHeaderBytes)-byte limit (not a safetensors file?)"
        case let .headerBeyondFile(file, headerBytes, fileBytes):
            "\(file): header length \(headerBytes) runs past the end of the \(fileBytes)-byte file (truncated?)"
        case let .badHeader(file, reason): "\(file): bad safetensors header: \(reason)"
        case let .badEntry(file, tensor, reason): "\(file): tensor \(tensor): \(reason)"
        case let .unknownDType(file, tensor, dtype):
            "\(file): tensor \(tensor): unknown dtype \(dtype) (safetensors dtypes: "
                + SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ") + ")"
        case let .unsupportedDType(file, tensor, dtype):
            "\(file): tensor \(tensor): dtype \(dtype) is not a float type; save the weights as F32, F16, BF16 or F64"
        case let .sizeMismatch(file, tensor, shape, dtype, bytes):
            "\(file): tensor \(tensor): shape \(shape) of \(dtype) needs \(shape.reduce(1, *) * (SafeTensorsDType(rawValue: dtype)?.size ?? 0)) bytes, its offsets span \(bytes)"
        case let .outOfBounds(file, tensor, end, dataBytes):
            "\(file): tensor \(tensor): ends at byte \(end) of a \(dataBytes)-byte data buffer (truncated?)"
        case let .overlap(file, tensor, other): "\(file): tensors \(other) and \(tensor) overlap"
        case let .hole(file, at, before): "\(file): unused bytes at data offset \(at), before tensor \(before)"
        case let .trailingBytes(file, used, dataBytes):
            "\(file): the tensors use \(used) of the \(dataBytes) data bytes; the rest is unaccounted for"
        }
    }
}
