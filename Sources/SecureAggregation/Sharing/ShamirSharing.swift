/// One holder's share of a secret: the evaluations of the secret's polynomials at `x`.
package struct SecretShare: Sendable, Equatable {
    /// The holder's evaluation point (its client id, never 0).
    package var x: UInt64
    /// One field element per 7-byte chunk of the secret.
    package var values: [UInt64]

    package init(x: UInt64, values: [UInt64]) {
        self.x = x
        self.values = values
    }
}

/// Why a secret could not be reconstructed.
package enum SharingError: Error, Equatable, CustomStringConvertible {
    case tooFewShares(have: Int, threshold: Int)
    case inconsistentShares(String)

    package var description: String {
        switch self {
        case let .tooFewShares(have, threshold): "\(have) shares cannot reconstruct a secret shared \(threshold)-of-n"
        case let .inconsistentShares(why): "inconsistent shares: \(why)"
        }
    }
}

/// Shamir's t-of-n secret sharing (Shamir 1979) over GF(2^61 − 1): any t shares give the secret back
/// by Lagrange interpolation at 0; any t − 1 are uniformly distributed whatever the secret, so they
/// reveal nothing about it.
///
/// A byte secret (a 32-byte X25519 key, a 16-byte mask seed) is cut into 7-byte chunks, each the
/// constant term of its own random polynomial of degree t − 1. Coefficients come from OpenSSL's
/// CSPRNG unless a test passes its own.
package enum ShamirSharing {
    package static let bytesPerChunk = 7

    /// Field elements per share of a secret of `secretBytes` bytes.
    package static func chunkCount(secretBytes: Int) -> Int { (secretBytes + bytesPerChunk - 1) / bytesPerChunk }

    /// Shares of `secret` for holders at `points` (distinct, non-zero), any `threshold` of which
    /// reconstruct it.
    package static func split(_ secret: [UInt8], threshold: Int, points: [UInt64]) throws(CryptoError) -> [SecretShare] {
        let chunks = chunkCount(secretBytes: secret.count)
        var coefficients = [UInt64]()
        coefficients.reserveCapacity(chunks * (threshold - 1))
        while coefficients.count < chunks * (threshold - 1) {
            for word in try SecureRandom.words(chunks * (threshold - 1) - coefficients.count + 4) {
                if coefficients.count < chunks * (threshold - 1), let element = PrimeField.element(fromUniform: word) {
                    coefficients.append(element)
                }
            }
        }
        return split(secret, threshold: threshold, points: points, coefficients: coefficients)
    }

    /// The deterministic core: `coefficients` holds, chunk after chunk, the t − 1 non-constant
    /// coefficients of each chunk's polynomial (tests use it to pin the randomness).
    package static func split(_ secret: [UInt8], threshold: Int, points: [UInt64], coefficients: [UInt64]) -> [SecretShare] {
        precondition(threshold >= 1 && threshold <= points.count, "threshold must be in 1...holders")
        precondition(!points.contains(0) && Set(points).count == points.count, "points must be distinct and non-zero")
        let constants = chunks(of: secret)
        precondition(coefficients.count == constants.count * (threshold - 1))
        return points.map { x in
            let values = constants.indices.map { chunk in
                // Horner from the highest coefficient down to the secret.
                var value: UInt64 = 0
                for power in stride(from: threshold - 1, through: 1, by: -1) {
                    value = PrimeField.add(PrimeField.multiply(value, x), coefficients[chunk * (threshold - 1) + power - 1])
                }
                return PrimeField.add(PrimeField.multiply(value, x), constants[chunk])
            }
            return SecretShare(x: x, values: values)
        }
    }

    /// The secret of `byteCount` bytes from at least `threshold` shares (the first `threshold` are used).
    package static func reconstruct(_ shares: [SecretShare], threshold: Int, byteCount: Int) throws(SharingError) -> [UInt8] {
        guard shares.count >= threshold else { throw .tooFewShares(have: shares.count, threshold: threshold) }
        let used = Array(shares.prefix(threshold))
        let chunks = chunkCount(secretBytes: byteCount)
        guard used.allSatisfy({ $0.values.count == chunks }) else {
            throw .inconsistentShares("expected \(chunks) values per share")
        }
        guard Set(used.map(\.x)).count == used.count, !used.contains(where: { $0.x == 0 }) else {
            throw .inconsistentShares("evaluation points must be distinct and non-zero")
        }
        let constants = interpolateAtZero(used)
        guard let secret = bytes(of: constants, count: byteCount) else {
            throw .inconsistentShares("the interpolated value is not a \(byteCount)-byte secret")
        }
        return secret
    }

    /// The chunk values of the polynomials through `shares` at x = 0 (Lagrange: λ_i = Π_{j≠i} x_j/(x_j − x_i)).
    /// With fewer shares than the threshold this is some value, not the secret.
    package static func interpolateAtZero(_ shares: [SecretShare]) -> [UInt64] {
        let lambdas = shares.indices.map { i in
            var numerator: UInt64 = 1, denominator: UInt64 = 1
            for j in shares.indices where j != i {
                numerator = PrimeField.multiply(numerator, shares[j].x)
                denominator = PrimeField.multiply(denominator, PrimeField.subtract(shares[j].x, shares[i].x))
            }
            return PrimeField.multiply(numerator, PrimeField.inverse(denominator))
        }
        return (0..<(shares.first?.values.count ?? 0)).map { chunk in
            var value: UInt64 = 0
            for i in shares.indices { value = PrimeField.add(value, PrimeField.multiply(lambdas[i], shares[i].values[chunk])) }
            return value
        }
    }

    private static func chunks(of secret: [UInt8]) -> [UInt64] {
        stride(from: 0, to: secret.count, by: bytesPerChunk).map { start in
            var value: UInt64 = 0
            for (offset, byte) in secret[start..<min(start + bytesPerChunk, secret.count)].enumerated() {
                value |= UInt64(byte) << (8 * UInt64(offset))
            }
            return value
        }
    }

    /// The bytes back from chunk values, or nil if a value has bits beyond its chunk (wrong shares).
    private static func bytes(of chunks: [UInt64], count: Int) -> [UInt8]? {
        var result = [UInt8]()
        result.reserveCapacity(count)
        for (index, value) in chunks.enumerated() {
            let width = min(bytesPerChunk, count - index * bytesPerChunk)
            guard value >> (8 * UInt64(width)) == 0 else { return nil }
            for byte in 0..<width { result.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))) }
        }
        return result
    }
}
