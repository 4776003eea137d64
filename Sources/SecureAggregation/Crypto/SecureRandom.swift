internal import COpenSSL

/// Random bytes from OpenSSL's CSPRNG (`RAND_bytes`): the only source of key material and of Shamir
/// polynomial coefficients. Never the simulation's seeded streams, which are public by design.
package enum SecureRandom {
    /// `count` random bytes.
    package static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        try fill(&result)
        return result
    }

    /// Overwrites `bytes` with random bytes.
    package static func fill(_ bytes: inout [UInt8]) throws(CryptoError) {
        let count = Int32(bytes.count)
        let status = bytes.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, count) }
        try check(status, "RAND_bytes")
    }

    /// Uniform 64-bit words.
    package static func words(_ count: Int) throws(CryptoError) -> [UInt64] {
        var result = [UInt64](repeating: 0, count: count)
        let status = result.withUnsafeMutableBytes { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32($0.count)) }
        try check(status, "RAND_bytes")
        return result
    }
}
