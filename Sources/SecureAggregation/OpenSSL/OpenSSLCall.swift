internal import COpenSSL

/// Turns a libcrypto status (1 = success) into a thrown `CryptoError` carrying OpenSSL's reason,
/// as swift-crypto's `internalBoringSSLError()` reads `ERR_get_error`.
@inline(__always)
func check(_ status: Int32, _ call: @autoclosure () -> String) throws(CryptoError) {
    guard status == 1 else { throw openSSLError(call()) }
}

/// The error for a failed libcrypto call, with the reason taken from (and cleared off) the error queue.
func openSSLError(_ call: String) -> CryptoError {
    let code = ERR_get_error()
    ERR_clear_error()
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    let reason = code == 0 ? "no reason on OpenSSL's error queue" : String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self)
    return .openSSL(call: call, reason: reason)
}

/// Zeroes key material in place with `OPENSSL_cleanse`, which the optimiser may not remove.
func cleanse(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { OPENSSL_cleanse(base, $0.count) } }
}
