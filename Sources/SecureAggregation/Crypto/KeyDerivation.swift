/// HKDF-SHA256 (RFC 5869) through OpenSSL's `EVP_KDF`: turns an X25519 shared secret into keys.
///
/// Every derived key is bound to its purpose and round by `info` (e.g. "murmur secagg mask" ‖ round
/// ‖ u ‖ v), so a key agreed for one round or purpose is useless in another.
package enum KeyDerivation {
    /// `outputCount` bytes of HKDF-SHA256(secret, salt, info) (RFC 5869 extract-then-expand).
    package static func hkdfSHA256(secret: [UInt8], salt: [UInt8] = [], info: [UInt8], outputCount: Int)
        throws(CryptoError) -> [UInt8] {
        try deriveHKDFSHA256(secret: secret, salt: salt, info: info, outputCount: outputCount)
    }
}
