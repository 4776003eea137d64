import Foundation

extension SafeTensors {
    /// The file's bytes: the header (tensors in this order, then `__metadata__` when there is any, padded with
    /// spaces to a multiple of 8 so the data is aligned), then each tensor as little-endian F32.
    ///
    /// Names must be unique (a precondition: the caller builds them). The output reads back with
    /// `safetensors.torch.load_file` and with `decode(_:file:)` to the same values.
    package func encoded() -> Data {
        precondition(Set(tensors.map(\.name)).count == tensors.count, "SafeTensors: duplicate tensor names")
        var header = "{"
        var offset = 0
        for (index, tensor) in tensors.enumerated() {
            let bytes = tensor.values.count * 4
            header += (index == 0 ? "" : ",") + Self.jsonString(tensor.name) + ":{\"dtype\":\"F32\",\"shape\":["
                + tensor.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(offset + bytes)]}"
            offset += bytes
        }
        if !metadata.isEmpty {
            header += (tensors.isEmpty ? "" : ",") + "\"__metadata__\":{"
                + metadata.keys.sorted().map { Self.jsonString($0) + ":" + Self.jsonString(metadata[$0]!) }
                .joined(separator: ",") + "}"
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        headerBytes += Array(repeating: UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)
        var out = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for tensor in tensors {
            tensor.values.withUnsafeBufferPointer { values in
                var little = [UInt32](repeating: 0, count: values.count)
                for i in 0..<values.count { little[i] = values[i].bitPattern.littleEndian }
                little.withUnsafeBytes { out.append(contentsOf: $0) }
            }
        }
        return out
    }

    /// Writes `encoded()` to `file` atomically (a temporary file renamed into place).
    package func write(to file: String) throws(SafeTensorsError) {
        do { try encoded().write(to: URL(fileURLWithPath: file), options: .atomic) } catch {
            throw .unwritable(file: file, reason: (error as NSError).localizedDescription)
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
