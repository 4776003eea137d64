/// Packs ring elements of `bits` bits densely into bytes (little-endian bit order) and back: what a
/// masked input weighs on the wire is d·bits/8 bytes, not 4d.
package enum BitPacking {
    /// Bytes that `elements` values of `bits` bits take packed.
    package static func byteCount(elements: Int, bits: Int) -> Int { (elements * bits + 7) / 8 }

    /// The low `bits` bits of each element, packed densely.
    package static func pack(_ elements: UnsafeBufferPointer<UInt32>, bits: Int) -> [UInt8] {
        let count = byteCount(elements: elements.count, bits: bits)
        return [UInt8](unsafeUninitializedCapacity: count) { bytes, initialized in
            switch bits {
            case 32: UnsafeMutableRawBufferPointer(bytes).copyMemory(from: UnsafeRawBufferPointer(elements))
            case 16:
                let raw = UnsafeMutableRawBufferPointer(bytes)
                for index in 0..<elements.count {
                    raw.storeBytes(of: UInt16(truncatingIfNeeded: elements[index]), toByteOffset: 2 &* index, as: UInt16.self)
                }
            default:
                let mask = bits == 32 ? UInt64(UInt32.max) : (UInt64(1) << UInt64(bits)) - 1
                var accumulator: UInt64 = 0, held = 0, out = 0
                for element in elements {
                    accumulator |= (UInt64(element) & mask) << UInt64(held)
                    held &+= bits
                    while held >= 8 {
                        bytes[out] = UInt8(truncatingIfNeeded: accumulator)
                        accumulator >>= 8
                        held &-= 8
                        out &+= 1
                    }
                }
                if held > 0 { bytes[out] = UInt8(truncatingIfNeeded: accumulator) }
            }
            initialized = count
        }
    }

    /// Unpacks `elements.count` elements of `bits` bits from `bytes`; false if there are too few bytes.
    package static func unpack(_ bytes: UnsafeRawBufferPointer, bits: Int, into elements: UnsafeMutableBufferPointer<UInt32>) -> Bool {
        guard bytes.count == byteCount(elements: elements.count, bits: bits) else { return false }
        if bits == 32 {
            UnsafeMutableRawBufferPointer(elements).copyMemory(from: bytes)
            return true
        }
        if bits == 16 {
            for index in 0..<elements.count { elements[index] = UInt32(bytes.loadUnaligned(fromByteOffset: 2 &* index, as: UInt16.self)) }
            return true
        }
        let mask = (UInt64(1) << UInt64(bits)) - 1
        var accumulator: UInt64 = 0, held = 0, input = 0
        for index in 0..<elements.count {
            while held < bits {
                accumulator |= UInt64(bytes[input]) << UInt64(held)
                held &+= 8
                input &+= 1
            }
            elements[index] = UInt32(truncatingIfNeeded: accumulator & mask)
            accumulator >>= UInt64(bits)
            held &-= bits
        }
        return true
    }
}
