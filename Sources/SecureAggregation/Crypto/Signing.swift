/// Ed25519 signatures (RFC 8032): each SecAgg client's long-term identity key. A client signs the
/// public keys it advertises and, in the consistency check, the survivor set the server showed it,
/// so a server that swaps a key or shows clients different sets is caught (Bonawitz et al. 2017,
/// §4, the malicious-server variant of Fig. 4). The verification keys are assumed distributed by a
/// public-key infrastructure; the session stands in for it.
package enum Signing {
    /// Bytes of an Ed25519 public (verification) key.
    package static let publicKeyCount = 32
    /// Bytes of an Ed25519 private key (the RFC 8032 seed).
    package static let privateKeyCount = 32
    /// Bytes of an Ed25519 signature.
    package static let signatureCount = 64
}

/// An Ed25519 signing key: the private half lives in an OpenSSL `EVP_PKEY` owned by this object and
/// freed (and cleansed by OpenSSL) in `deinit`; only signatures and the public key leave it.
package final class SigningPrivateKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is immutable after init and libcrypto allows concurrent signing with
    // it (each signature uses its own EVP_MD_CTX).
    let key: OpaquePointer
    /// The verification key, 32 bytes, as the PKI publishes it.
    package let publicKey: [UInt8]

    /// A fresh key from OpenSSL's random generator.
    package init() throws(CryptoError) {
        key = try generateEd25519Key()
        publicKey = try rawPublicKey(key)
    }

    /// The key of a given 32-byte RFC 8032 private key (for known-answer tests and stored identities).
    package init(rawPrivateKey: [UInt8]) throws(CryptoError) {
        guard rawPrivateKey.count == Signing.privateKeyCount else {
            throw .invalidLength(what: "an Ed25519 private key", expected: Signing.privateKeyCount, actual: rawPrivateKey.count)
        }
        key = try importEd25519PrivateKey(rawPrivateKey)
        publicKey = try rawPublicKey(key)
    }

    deinit { freeKey(key) }

    /// The 64-byte Ed25519 signature of `message` (deterministic: the same message, the same bytes).
    package func signature(for message: [UInt8]) throws(CryptoError) -> [UInt8] {
        try ed25519Sign(key, message: message)
    }

    /// The verification key as an object that can check signatures.
    package func verificationKey() throws(CryptoError) -> SigningPublicKey {
        try SigningPublicKey(rawRepresentation: publicKey)
    }
}

/// An Ed25519 verification key, parsed once into an OpenSSL `EVP_PKEY` (freed in `deinit`), since a
/// client checks many signatures by the same peers.
package final class SigningPublicKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is immutable after init; each verification uses its own EVP_MD_CTX.
    let key: OpaquePointer
    /// The 32 raw bytes.
    package let rawRepresentation: [UInt8]

    /// - Throws: `.invalidLength` unless 32 bytes; `.openSSL` if OpenSSL refuses the key.
    package init(rawRepresentation: [UInt8]) throws(CryptoError) {
        guard rawRepresentation.count == Signing.publicKeyCount else {
            throw .invalidLength(what: "an Ed25519 public key", expected: Signing.publicKeyCount, actual: rawRepresentation.count)
        }
        key = try importEd25519PublicKey(rawRepresentation)
        self.rawRepresentation = rawRepresentation
    }

    deinit { freeKey(key) }

    /// Whether `signature` is this key's Ed25519 signature of `message`. A signature of the wrong
    /// length, a changed byte, another message or another key all give false.
    /// - Throws: only if OpenSSL cannot run the verification at all.
    package func isValidSignature(_ signature: [UInt8], for message: [UInt8]) throws(CryptoError) -> Bool {
        guard signature.count == Signing.signatureCount else { return false }
        return try ed25519Verify(key, signature: signature, message: message)
    }
}
