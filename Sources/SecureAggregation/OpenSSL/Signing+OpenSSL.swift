internal import COpenSSL

// The libcrypto calls behind `SigningPrivateKey` and `SigningPublicKey`: Ed25519 through
// EVP_DigestSign / EVP_DigestVerify with no digest (Ed25519 hashes the message itself, RFC 8032 §5.1).

func generateEd25519Key() throws(CryptoError) -> OpaquePointer {
    guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nil) else { throw openSSLError("EVP_PKEY_CTX_new_id(ED25519)") }
    defer { EVP_PKEY_CTX_free(context) }
    try check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init(ED25519)")
    var key: OpaquePointer?
    try check(EVP_PKEY_keygen(context, &key), "EVP_PKEY_keygen(ED25519)")
    guard let key else { throw openSSLError("EVP_PKEY_keygen(ED25519)") }
    return key
}

func importEd25519PrivateKey(_ raw: [UInt8]) throws(CryptoError) -> OpaquePointer {
    guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
        throw openSSLError("EVP_PKEY_new_raw_private_key(ED25519)")
    }
    return key
}

func importEd25519PublicKey(_ raw: [UInt8]) throws(CryptoError) -> OpaquePointer {
    guard let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
        throw openSSLError("EVP_PKEY_new_raw_public_key(ED25519)")
    }
    return key
}

func ed25519Sign(_ key: OpaquePointer, message: [UInt8]) throws(CryptoError) -> [UInt8] {
    guard let context = EVP_MD_CTX_new() else { throw openSSLError("EVP_MD_CTX_new") }
    defer { EVP_MD_CTX_free(context) }
    try check(EVP_DigestSignInit(context, nil, nil, nil, key), "EVP_DigestSignInit(ED25519)")
    var signature = [UInt8](repeating: 0, count: Signing.signatureCount)
    var length = signature.count
    // One spare byte, so the message buffer has an address even when it is empty.
    let status = (message + [0]).withUnsafeBufferPointer { EVP_DigestSign(context, &signature, &length, $0.baseAddress, message.count) }
    try check(status, "EVP_DigestSign(ED25519)")
    guard length == Signing.signatureCount else { throw .invalidLength(what: "an Ed25519 signature", expected: 64, actual: length) }
    return signature
}

func ed25519Verify(_ key: OpaquePointer, signature: [UInt8], message: [UInt8]) throws(CryptoError) -> Bool {
    guard let context = EVP_MD_CTX_new() else { throw openSSLError("EVP_MD_CTX_new") }
    defer { EVP_MD_CTX_free(context) }
    try check(EVP_DigestVerifyInit(context, nil, nil, nil, key), "EVP_DigestVerifyInit(ED25519)")
    let status = (message + [0]).withUnsafeBufferPointer {
        EVP_DigestVerify(context, signature, signature.count, $0.baseAddress, message.count)
    }
    // 1: valid; 0: a well-formed but wrong signature; below 0: malformed (e.g. an out-of-range s),
    // which is a bad signature too — only an init failure above means OpenSSL itself failed.
    if status != 1 { ERR_clear_error() }
    return status == 1
}
