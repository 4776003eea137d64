/// Why a cryptographic operation failed: a libcrypto call's own reason, or a check of ours.
package enum CryptoError: Error, Equatable, CustomStringConvertible {
    /// A libcrypto call failed; `reason` is OpenSSL's text for its error queue's first entry.
    case openSSL(call: String, reason: String)
    /// An authenticated ciphertext did not verify: wrong key, wrong associated data, or tampered bytes.
    case authenticationFailed
    /// A key or ciphertext had the wrong length.
    case invalidLength(what: String, expected: Int, actual: Int)

    package var description: String {
        switch self {
        case let .openSSL(call, reason): "\(call) failed: \(reason)"
        case .authenticationFailed: "authentication failed (wrong key, associated data or tampered ciphertext)"
        case let .invalidLength(what, expected, actual): "\(what) must be \(expected) bytes, not \(actual)"
        }
    }
}
