/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), table-driven, and TFRecord's masked
/// form of it. A checksum, not a cryptographic hash: TFRecord framing needs exactly this one and OpenSSL
/// has none.
///
/// Known answer: CRC-32C("123456789") = 0xE3069283 (RFC 3720, §B.4; the "check" value of the catalogue).
/// Masking: ((crc >> 15) | (crc << 17)) + 0xA282EAD8 (tensorflow/core/lib/hash/crc32c.h, `Mask`).
package enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes`.
    package static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// TFRecord's masked CRC of `bytes` (a CRC of data that itself holds CRCs is then not degenerate).
    package static func masked<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
