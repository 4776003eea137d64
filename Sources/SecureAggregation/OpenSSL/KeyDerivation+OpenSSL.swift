internal import COpenSSL

/// The HKDF implementation, fetched from the default provider once: a fetch takes the provider
/// store's lock, which every client thread would otherwise contend on for each derived key.
private final class FetchedKDF: @unchecked Sendable {
    // @unchecked: an EVP_KDF is immutable once fetched and libcrypto allows sharing it between threads.
    static let hkdf = FetchedKDF()
    let kdf: OpaquePointer? = EVP_KDF_fetch(nil, "HKDF", nil)
}

func deriveHKDFSHA256(secret: [UInt8], salt: [UInt8], info: [UInt8], outputCount: Int) throws(CryptoError) -> [UInt8] {
    guard let kdf = FetchedKDF.hkdf.kdf else { throw openSSLError("EVP_KDF_fetch(HKDF)") }
    guard let context = EVP_KDF_CTX_new(kdf) else { throw openSSLError("EVP_KDF_CTX_new") }
    defer { EVP_KDF_CTX_free(context) }
    var output = [UInt8](repeating: 0, count: outputCount)
    var secret = secret, salt = salt, info = info
    var digest = Array("SHA256".utf8CString)
    let status = digest.withUnsafeMutableBufferPointer { digest in
        secret.withUnsafeMutableBytes { secret in
            salt.withUnsafeMutableBytes { salt in
                info.withUnsafeMutableBytes { info in
                    var parameters = [
                        OSSL_PARAM_construct_utf8_string("digest", digest.baseAddress, 0),
                        OSSL_PARAM_construct_octet_string("key", secret.baseAddress, secret.count),
                        OSSL_PARAM_construct_octet_string("salt", salt.baseAddress, salt.count),
                        OSSL_PARAM_construct_octet_string("info", info.baseAddress, info.count),
                        OSSL_PARAM_construct_end(),
                    ]
                    if salt.count == 0 { parameters.remove(at: 2) }
                    return EVP_KDF_derive(context, &output, outputCount, &parameters)
                }
            }
        }
    }
    cleanse(&secret)
    try check(status, "EVP_KDF_derive(HKDF-SHA256)")
    return output
}
