internal import COpenSSL

// The libcrypto calls behind `KeyAgreementPrivateKey` (swift-crypto keeps them apart the same way).

func generateX25519Key() throws(CryptoError) -> OpaquePointer {
    guard let context = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, nil) else { throw openSSLError("EVP_PKEY_CTX_new_id") }
    defer { EVP_PKEY_CTX_free(context) }
    try check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
    var key: OpaquePointer?
    try check(EVP_PKEY_keygen(context, &key), "EVP_PKEY_keygen")
    guard let key else { throw openSSLError("EVP_PKEY_keygen") }
    return key
}

func importX25519PrivateKey(_ raw: [UInt8]) throws(CryptoError) -> OpaquePointer {
    guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nil, raw, raw.count) else {
        throw openSSLError("EVP_PKEY_new_raw_private_key")
    }
    return key
}

func freeKey(_ key: OpaquePointer) { EVP_PKEY_free(key) }

func rawPublicKey(_ key: OpaquePointer) throws(CryptoError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 32)
    var length = 32
    try check(EVP_PKEY_get_raw_public_key(key, &bytes, &length), "EVP_PKEY_get_raw_public_key")
    return bytes
}

func exportRawPrivateKey(_ key: OpaquePointer) throws(CryptoError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 32)
    var length = 32
    try check(EVP_PKEY_get_raw_private_key(key, &bytes, &length), "EVP_PKEY_get_raw_private_key")
    return bytes
}

func deriveX25519(_ key: OpaquePointer, peerPublicKey: [UInt8]) throws(CryptoError) -> [UInt8] {
    guard let peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nil, peerPublicKey, peerPublicKey.count) else {
        throw openSSLError("EVP_PKEY_new_raw_public_key")
    }
    defer { EVP_PKEY_free(peer) }
    guard let context = EVP_PKEY_CTX_new(key, nil) else { throw openSSLError("EVP_PKEY_CTX_new") }
    defer { EVP_PKEY_CTX_free(context) }
    try check(EVP_PKEY_derive_init(context), "EVP_PKEY_derive_init")
    try check(EVP_PKEY_derive_set_peer(context, peer), "EVP_PKEY_derive_set_peer")
    var secret = [UInt8](repeating: 0, count: 32)
    var length = 32
    try check(EVP_PKEY_derive(context, &secret, &length), "EVP_PKEY_derive")
    return secret
}
