internal import COpenSSL

/// One AES-128-CTR `EVP_CIPHER_CTX`, re-keyed for each mask (an expander keeps its contexts) and freed in `deinit`.
final class AESCTRContext {
    private let context: OpaquePointer

    init() throws(CryptoError) {
        guard let context = EVP_CIPHER_CTX_new() else { throw openSSLError("EVP_CIPHER_CTX_new") }
        self.context = context
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Keys the cipher with `key` and positions the counter at AES block `block` (big-endian counter).
    func start(key: [UInt8], block: UInt64) throws(CryptoError) {
        // The 16-byte counter block on the stack: 8 zero bytes, then `block` big-endian.
        var counter: (UInt64, UInt64) = (0, block.bigEndian)
        let status = withUnsafeBytes(of: &counter) { bytes in
            EVP_EncryptInit_ex(context, EVP_aes_128_ctr(), nil, key, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        try check(status, "EVP_EncryptInit_ex(AES-128-CTR)")
    }

    /// Fills `bytes` (at most `zeros.count`) with the next keystream bytes: the CTR encryption of zeros.
    func keystream(into bytes: UnsafeMutableRawBufferPointer, zeros: UnsafeRawBufferPointer) throws(CryptoError) {
        guard let output = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
              let input = zeros.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        precondition(bytes.count <= zeros.count)
        var length: Int32 = 0
        try check(EVP_EncryptUpdate(context, output, &length, input, Int32(bytes.count)), "EVP_EncryptUpdate(AES-128-CTR)")
    }
}
