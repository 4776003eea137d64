/// Appends fixed-width little-endian fields to a byte array: the encoding of every protocol message.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    mutating func append(_ value: UInt8) { bytes.append(value) }
    mutating func append(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) } }
    mutating func append(_ value: UInt64) { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) } }
    mutating func append(bytes other: [UInt8]) { bytes.append(contentsOf: other) }
    /// A length-prefixed byte string.
    mutating func append(block other: [UInt8]) {
        append(UInt32(other.count))
        bytes.append(contentsOf: other)
    }
    mutating func append(_ share: SecretShare) {
        append(UInt32(share.x))  // points are client ids
        append(UInt32(share.values.count))
        for value in share.values { append(value) }
    }
}

/// Reads what `ByteWriter` wrote; every read checks the length, so a truncated or padded message is
/// rejected rather than misread.
struct ByteReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { position == bytes.count }

    mutating func uint8() throws(ProtocolError) -> UInt8 {
        guard position < bytes.count else { throw .malformed }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func uint32() throws(ProtocolError) -> UInt32 {
        var value: UInt32 = 0
        for shift in stride(from: 0, to: 32, by: 8) { value |= UInt32(try uint8()) << UInt32(shift) }
        return value
    }

    mutating func uint64() throws(ProtocolError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 8) { value |= UInt64(try uint8()) << UInt64(shift) }
        return value
    }

    mutating func bytes(_ count: Int) throws(ProtocolError) -> [UInt8] {
        guard count >= 0, position + count <= bytes.count else { throw .malformed }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func block(maximum: Int = 1 << 30) throws(ProtocolError) -> [UInt8] {
        let count = Int(try uint32())
        guard count <= maximum else { throw .malformed }
        return try bytes(count)
    }

    mutating func share(chunks: Int) throws(ProtocolError) -> SecretShare {
        let x = UInt64(try uint32())
        guard Int(try uint32()) == chunks else { throw .malformed }
        var values = [UInt64]()
        for _ in 0..<chunks {
            let value = try uint64()
            guard value < PrimeField.modulus else { throw .malformed }
            values.append(value)
        }
        return SecretShare(x: x, values: values)
    }

    func finish() throws(ProtocolError) {
        guard isAtEnd else { throw .malformed }
    }
}
