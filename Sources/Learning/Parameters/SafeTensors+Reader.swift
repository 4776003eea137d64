import Foundation

extension SafeTensors {
    /// Reads and validates a safetensors file; `file` names it in errors.
    /// - Throws: `SafeTensorsError`, one line naming the file, the tensor and what is wrong.
    package static func read(contentsOf file: String) throws(SafeTensorsError) -> SafeTensors {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file), options: .mappedIfSafe) } catch {
            throw .unreadable(file: file, reason: (error as NSError).localizedDescription)
        }
        return try decode(data, file: file)
    }

    /// Decodes and validates the bytes of a safetensors file (see the type's comment for what is checked).
    package static func decode(_ bytes: Data, file: String) throws(SafeTensorsError) -> SafeTensors {
        guard bytes.count >= 8 else { throw .tooShort(file: file, bytes: bytes.count) }
        let start = bytes.startIndex
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[start + i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(maximumHeaderBytes) else { throw .headerTooLarge(file: file, bytes: headerLength) }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw .headerBeyondFile(file: file, headerBytes: headerLength, fileBytes: bytes.count)
        }
        let headerBytes = bytes[(start + 8)..<(start + 8 + Int(headerLength))]
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw .badHeader(file: file, reason: "it must start with '{' (a JSON object)")
        }
        guard String(data: headerBytes, encoding: .utf8) != nil else {
            throw .badHeader(file: file, reason: "not UTF-8")
        }
        guard let header = (try? JSONSerialization.jsonObject(with: headerBytes)) as? [String: Any] else {
            throw .badHeader(file: file, reason: "not a JSON object")
        }
        let dataStart = start + 8 + Int(headerLength)
        let dataBytes = bytes.count - 8 - Int(headerLength)

        var metadata: [String: String] = [:]
        if let raw = header["__metadata__"] {
            guard let object = raw as? [String: Any] else {
                throw .badHeader(file: file, reason: "__metadata__ must be an object of strings")
            }
            for (key, value) in object {
                guard let text = value as? String else {
                    throw .badHeader(file: file, reason: "__metadata__.\(key) must be a string")
                }
                metadata[key] = text
            }
        }

        struct Placed { var name: String; var dtype: SafeTensorsDType; var shape: [Int]; var begin: Int; var end: Int }
        var placed: [Placed] = []
        for (name, raw) in header where name != "__metadata__" {
            guard let info = raw as? [String: Any] else { throw .badEntry(file: file, tensor: name, reason: "not an object") }
            if let extra = info.keys.first(where: { !["dtype", "shape", "data_offsets"].contains($0) }) {
                throw .badEntry(file: file, tensor: name, reason: "unknown field \(extra)")
            }
            guard let dtypeText = info["dtype"] as? String else {
                throw .badEntry(file: file, tensor: name, reason: "missing dtype")
            }
            guard let dtype = SafeTensorsDType(rawValue: dtypeText) else {
                throw .unknownDType(file: file, tensor: name, dtype: dtypeText)
            }
            guard let shapeList = info["shape"] as? [Any], let shape = naturals(shapeList) else {
                throw .badEntry(file: file, tensor: name, reason: "shape must be a list of non-negative integers")
            }
            guard let offsetList = info["data_offsets"] as? [Any], offsetList.count == 2,
                  let offsets = naturals(offsetList), offsets[0] <= offsets[1] else {
                throw .badEntry(file: file, tensor: name, reason: "data_offsets must be [begin, end] with 0 ≤ begin ≤ end")
            }
            let (count, overflow) = shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            let (needed, overflow2) = count.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, !overflow2, needed == offsets[1] - offsets[0] else {
                throw .sizeMismatch(file: file, tensor: name, shape: shape, dtype: dtypeText, bytes: offsets[1] - offsets[0])
            }
            guard offsets[1] <= dataBytes else {
                throw .outOfBounds(file: file, tensor: name, end: offsets[1], dataBytes: dataBytes)
            }
            guard dtype.isReadable else { throw .unsupportedDType(file: file, tensor: name, dtype: dtypeText) }
            placed.append(Placed(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1]))
        }
        // The byte ranges must tile the data buffer: sorted by start, each begins where the previous ended.
        placed.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var cursor = 0
        for (index, tensor) in placed.enumerated() {
            if tensor.begin < cursor { throw .overlap(file: file, tensor: tensor.name, other: placed[index - 1].name) }
            if tensor.begin > cursor { throw .hole(file: file, at: cursor, before: tensor.name) }
            cursor = tensor.end
        }
        guard cursor == dataBytes else { throw .trailingBytes(file: file, used: cursor, dataBytes: dataBytes) }

        let tensors = placed.map { tensor in
            Entry(name: tensor.name, shape: tensor.shape,
                  values: decodeValues(bytes, from: dataStart + tensor.begin, count: tensor.shape.reduce(1, *),
                                       dtype: tensor.dtype))
        }
        return SafeTensors(tensors: tensors, metadata: metadata)
    }

    /// JSON integers ≥ 0 (not booleans, not fractions), or nil.
    private static func naturals(_ list: [Any]) -> [Int]? {
        var result: [Int] = []
        for item in list {
            guard let number = item as? NSNumber, !["c", "d", "f"].contains(String(cString: number.objCType)),
                  let value = item as? Int, value >= 0 else { return nil }
            result.append(value)
        }
        return result
    }

    /// Little-endian values of `dtype` at `offset`, as Float.
    private static func decodeValues(_ bytes: Data, from offset: Int, count: Int, dtype: SafeTensorsDType) -> [Float] {
        bytes.withUnsafeBytes { raw in
            let base = raw.baseAddress!.advanced(by: offset - bytes.startIndex)
            return [Float](unsafeUninitializedCapacity: count) { out, initialized in
                for i in 0..<count {
                    switch dtype {
                    case .f32: out[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    case .f64: out[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                    case .bf16: out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
                    case .f16: out[i] = halfToFloat(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
                    default: preconditionFailure("SafeTensors: \(dtype) is not readable")
                    }
                }
                initialized = count
            }
        }
    }

    /// IEEE 754 binary16 → binary32, exactly (subnormals, infinities and NaN included).
    package static func halfToFloat(_ h: UInt16) -> Float {
        let sign: Float = h & 0x8000 == 0 ? 1 : -1
        let exponent = Int((h >> 10) & 0x1F), mantissa = Float(h & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1 + mantissa / 1024) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
        }
    }
}
