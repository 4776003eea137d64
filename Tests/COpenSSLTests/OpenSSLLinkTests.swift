import COpenSSL
import Testing

/// Proves that the libcrypto link works end to end: X25519 key agreement and AES-128-CTR, each against
/// a published known-answer vector, and the two chained (a shared secret keys the cipher).
@Suite struct OpenSSLLinkTests {
    /// RFC 7748 §6.1: Alice's private key with Bob's public key gives the published shared secret.
    @Test func x25519MatchesRFC7748() throws {
        let alicePrivate = bytes("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        let bobPublic = bytes("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let secret = try x25519(privateKey: alicePrivate, peerPublicKey: bobPublic)
        #expect(hex(secret) == "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
    }

    /// NIST SP 800-38A, F.5.1 (CTR-AES128.Encrypt), first two blocks.
    @Test func aes128CTRMatchesSP800_38A() throws {
        let key = bytes("2b7e151628aed2a6abf7158809cf4f3c")
        let counter = bytes("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff")
        let plaintext = bytes("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
        let ciphertext = try aes128CTR(key: key, iv: counter, input: plaintext)
        #expect(hex(ciphertext) == "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff")
    }

    /// Two fresh key pairs agree on one secret; its first 16 bytes key AES-128-CTR, and the peer decrypts.
    @Test func sharedSecretKeysAESRoundTrip() throws {
        let alice = try generateX25519()
        let bob = try generateX25519()
        let aliceSecret = try x25519(privateKey: alice.privateKey, peerPublicKey: bob.publicKey)
        let bobSecret = try x25519(privateKey: bob.privateKey, peerPublicKey: alice.publicKey)
        #expect(aliceSecret == bobSecret)
        #expect(aliceSecret.count == 32)

        let message = Array("round 7: masked update from client 42".utf8)
        let iv = [UInt8](repeating: 0, count: 16)
        let sealed = try aes128CTR(key: Array(aliceSecret[0..<16]), iv: iv, input: message)
        #expect(sealed != message)
        let opened = try aes128CTR(key: Array(bobSecret[0..<16]), iv: iv, input: sealed)
        #expect(opened == message)
        let wrongKey = try aes128CTR(key: Array(bobSecret[16..<32]), iv: iv, input: sealed)
        #expect(wrongKey != message)
    }
}

// MARK: - Minimal direct libcrypto calls (the SecureAggregation target will own the real wrappers)

private struct OpenSSLFailure: Error, CustomStringConvertible {
    let call: String
    var description: String { "\(call) failed: OpenSSL error \(ERR_get_error())" }
}

private func check(_ ok: Bool, _ call: String) throws {
    if !ok { throw OpenSSLFailure(call: call) }
}

private func generateX25519() throws -> (privateKey: [UInt8], publicKey: [UInt8]) {
    let context = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nil)
    defer { EVP_PKEY_CTX_free(context) }
    try check(context != nil && EVP_PKEY_keygen_init(context) == 1, "EVP_PKEY_keygen_init")
    var key: OpaquePointer?
    try check(EVP_PKEY_keygen(context, &key) == 1, "EVP_PKEY_keygen")
    defer { EVP_PKEY_free(key) }
    var privateKey = [UInt8](repeating: 0, count: 32)
    var publicKey = [UInt8](repeating: 0, count: 32)
    var length = 32
    try check(EVP_PKEY_get_raw_private_key(key, &privateKey, &length) == 1, "EVP_PKEY_get_raw_private_key")
    length = 32
    try check(EVP_PKEY_get_raw_public_key(key, &publicKey, &length) == 1, "EVP_PKEY_get_raw_public_key")
    return (privateKey, publicKey)
}

private func x25519(privateKey: [UInt8], peerPublicKey: [UInt8]) throws -> [UInt8] {
    let own = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nil, privateKey, privateKey.count)
    let peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nil, peerPublicKey, peerPublicKey.count)
    defer { EVP_PKEY_free(own); EVP_PKEY_free(peer) }
    try check(own != nil && peer != nil, "EVP_PKEY_new_raw_*_key")
    let context = EVP_PKEY_CTX_new(own, nil)
    defer { EVP_PKEY_CTX_free(context) }
    try check(context != nil && EVP_PKEY_derive_init(context) == 1, "EVP_PKEY_derive_init")
    try check(EVP_PKEY_derive_set_peer(context, peer) == 1, "EVP_PKEY_derive_set_peer")
    var length = 0
    try check(EVP_PKEY_derive(context, nil, &length) == 1, "EVP_PKEY_derive (length)")
    var secret = [UInt8](repeating: 0, count: length)
    try check(EVP_PKEY_derive(context, &secret, &length) == 1, "EVP_PKEY_derive")
    return Array(secret[0..<length])
}

private func aes128CTR(key: [UInt8], iv: [UInt8], input: [UInt8]) throws -> [UInt8] {
    let context = EVP_CIPHER_CTX_new()
    defer { EVP_CIPHER_CTX_free(context) }
    try check(EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, key, iv) == 1, "EVP_EncryptInit_ex")
    var output = [UInt8](repeating: 0, count: input.count + 16)
    var written: Int32 = 0
    try check(EVP_EncryptUpdate(context, &output, &written, input, Int32(input.count)) == 1, "EVP_EncryptUpdate")
    var finalLength: Int32 = 0
    try output.withUnsafeMutableBufferPointer { buffer in
        try check(EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(written), &finalLength) == 1,
                  "EVP_EncryptFinal_ex")
    }
    return Array(output[0..<Int(written + finalLength)])
}

private func bytes(_ hex: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        result.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return result
}

private func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
