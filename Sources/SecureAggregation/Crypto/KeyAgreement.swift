/// An X25519 key pair (RFC 7748): each SecAgg client holds two per round, one to encrypt its shares
/// to its neighbours and one to agree the pairwise masking seeds (Bonawitz et al. 2017, §4).
///
/// The private key lives in an OpenSSL `EVP_PKEY` owned by this object and freed (and cleansed by
/// OpenSSL) in `deinit`; only the 32-byte public key and derived secrets leave it.
package final class KeyAgreementPrivateKey: @unchecked Sendable {
    // @unchecked: the EVP_PKEY is immutable after init and libcrypto allows concurrent derives on it.
    let key: OpaquePointer
    /// The public key, 32 bytes, as sent in the clear.
    package let publicKey: [UInt8]

    /// A fresh key pair from OpenSSL's random generator.
    package init() throws(CryptoError) {
        key = try generateX25519Key()
        publicKey = try rawPublicKey(key)
    }

    /// A key pair from its 32 raw private bytes (how a Shamir-reconstructed key comes back).
    package init(rawPrivateKey: [UInt8]) throws(CryptoError) {
        guard rawPrivateKey.count == 32 else {
            throw .invalidLength(what: "an X25519 private key", expected: 32, actual: rawPrivateKey.count)
        }
        key = try importX25519PrivateKey(rawPrivateKey)
        publicKey = try rawPublicKey(key)
    }

    deinit { freeKey(key) }

    /// The 32 raw private bytes, to be Shamir-shared. The caller must cleanse them after use.
    package func rawPrivateKey() throws(CryptoError) -> [UInt8] {
        try exportRawPrivateKey(key)
    }

    /// The X25519 shared secret with a peer's public key (32 bytes; feed it to HKDF, never use it raw).
    package func sharedSecret(with peerPublicKey: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard peerPublicKey.count == 32 else {
            throw .invalidLength(what: "an X25519 public key", expected: 32, actual: peerPublicKey.count)
        }
        return try deriveX25519(key, peerPublicKey: peerPublicKey)
    }
}
