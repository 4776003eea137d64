/// AES-256-GCM: the authenticated encryption of every SecAgg message (shares client to client, and
/// each client's channel to the server).
///
/// A sealed box is nonce (12 random bytes) ‖ ciphertext ‖ tag (16 bytes). The associated data binds
/// it to its header (round, step, sender, recipient), so a message replayed into another round or
/// step, or redirected, fails to open, as does any changed byte.
package enum AuthenticatedEncryption {
    package static let keyCount = 32
    package static let nonceCount = 12
    package static let tagCount = 16
    /// Bytes a sealed box adds to its plaintext.
    package static let overhead = nonceCount + tagCount

    /// Seals `plaintext` under a 32-byte key with a fresh random nonce, binding `associatedData`.
    package static func seal(_ plaintext: [UInt8], key: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try requireKey(key)
        return try seal(plaintext, key: key, nonce: try SecureRandom.bytes(nonceCount), associatedData: associatedData)
    }

    /// Seals with a given nonce: for known-answer tests only (a nonce must never repeat under a key).
    package static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try requireKey(key)
        guard nonce.count == nonceCount else { throw .invalidLength(what: "a GCM nonce", expected: nonceCount, actual: nonce.count) }
        return try aes256GCMSeal(plaintext, key: key, nonce: nonce, associatedData: associatedData)
    }

    /// The plaintext, or `.authenticationFailed` if the key, the associated data or any byte is wrong.
    package static func open(_ box: [UInt8], key: [UInt8], associatedData: [UInt8]) throws(CryptoError) -> [UInt8] {
        try requireKey(key)
        guard box.count >= overhead else { throw .authenticationFailed }
        return try aes256GCMOpen(box, key: key, associatedData: associatedData)
    }

    private static func requireKey(_ key: [UInt8]) throws(CryptoError) {
        guard key.count == keyCount else { throw .invalidLength(what: "an AES-256-GCM key", expected: keyCount, actual: key.count) }
    }
}
