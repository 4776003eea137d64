internal import COpenSSL

/// One AES-128-CTR `EVP_CIPHER_CTX`, re-keyed for each mask and freed in `deinit`.
final class AESCTRContext {
    private let context: OpaquePointer

    init() throws(CryptoError) {
        guard let context = EVP_CIPHER_CTX_new() else { throw openSSLError("EVP_CIPHER_CTX_new") }
        self.context = context
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Keys the cipher with `key` and positions the counter at AES block `block` (big-endian counter).
    func start(key: [UInt8], block: UInt64) throws(CryptoError) {
        var counter = [UInt8](repeating: 0, count: 16)
        for byte in 0..<8 { counter[15 - byte] = UInt8(truncatingIfNeeded: block >> (8 * UInt64(byte))) }
        try check(EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, key, counter), "EVP_EncryptInit_ex(AES-128-CTR)")
    }

    /// Fills `bytes` with the next keystream bytes (CTR encryption of zeros, in place).
    func keystream(into bytes: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        base.initialize(repeating: 0, count: bytes.count)
        var length: Int32 = 0
        try check(EVP_EncryptUpdate(context, base, &length, base, Int32(bytes.count)), "EVP_EncryptUpdate(AES-128-CTR)")
    }
}
