import SecureAggregation
import Testing

/// Shamir sharing: any t shares give the secret, t − 1 give nothing usable.
@Suite struct ShamirSharingTests {
    @Test func fieldArithmeticMatchesWideIntegers() {
        let p = PrimeField.modulus
        let cases: [(UInt64, UInt64)] = [(0, 5), (1, p - 1), (p - 1, p - 1), (123_456_789_012_345, 987_654_321_098_765), (1 << 60, 1 << 60)]
        for (a, b) in cases {
            let (high, low) = a.multipliedFullWidth(by: b)
            let expected = p.dividingFullWidth((high % p, low)).remainder
            #expect(PrimeField.multiply(a, b) == expected)
            #expect(PrimeField.add(a, b) == UInt64((UInt128(a) + UInt128(b)) % UInt128(p)))
            if a != 0 { #expect(PrimeField.multiply(a, PrimeField.inverse(a)) == 1) }
        }
    }

    @Test(arguments: [(1, 1), (2, 3), (3, 5), (7, 10), (11, 20)])
    func anyThresholdSubsetReconstructs(threshold: Int, holders: Int) throws {
        let secret = try SecureRandom.bytes(32)
        let shares = try ShamirSharing.split(secret, threshold: threshold, points: (1...holders).map { UInt64($0 * 3 + 1) })
        #expect(try ShamirSharing.reconstruct(Array(shares.prefix(threshold)), threshold: threshold, byteCount: 32) == secret)
        #expect(try ShamirSharing.reconstruct(Array(shares.suffix(threshold)).reversed(), threshold: threshold, byteCount: 32) == secret)
        if threshold > 1 {
            #expect(throws: SharingError.tooFewShares(have: threshold - 1, threshold: threshold)) {
                try ShamirSharing.reconstruct(Array(shares.prefix(threshold - 1)), threshold: threshold, byteCount: 32)
            }
        }
    }

    /// t − 1 shares are consistent with every secret: adding a t-th share and varying its value moves the
    /// interpolated secret over the whole field (an affine bijection), so the t − 1 reveal nothing.
    @Test func thresholdMinusOneSharesAreConsistentWithEverySecret() throws {
        let t = 4
        let shares = try ShamirSharing.split(try SecureRandom.bytes(7), threshold: t, points: [2, 5, 9, 11, 17])
        let known = Array(shares.prefix(t - 1))
        let secrets = (0..<64).map { value in
            ShamirSharing.interpolateAtZero(known + [SecretShare(x: 40, values: [UInt64(value)])])[0]
        }
        #expect(Set(secrets).count == secrets.count)
        // Equal steps in the guessed share give equal steps in the secret: λ·Δ with λ ≠ 0.
        let step = PrimeField.subtract(secrets[1], secrets[0])
        #expect(step != 0)
        for index in 1..<secrets.count { #expect(PrimeField.subtract(secrets[index], secrets[index - 1]) == step) }
    }

    /// An X25519 masking key shared t-of-n cannot be rebuilt from t − 1 shares: interpolating them
    /// gives no valid key, or a key with another public key.
    @Test func maskingKeyCannotBeReconstructedFromTooFewShares() throws {
        let key = try KeyAgreementPrivateKey()
        let raw = try key.rawPrivateKey()
        let shares = try ShamirSharing.split(raw, threshold: 5, points: Array(1...8))
        let guess = try? ShamirSharing.reconstruct(Array(shares.prefix(4)), threshold: 4, byteCount: 32)
        if let guess {
            #expect(try KeyAgreementPrivateKey(rawPrivateKey: guess).publicKey != key.publicKey)
        }
        let rebuilt = try KeyAgreementPrivateKey(rawPrivateKey: try ShamirSharing.reconstruct(Array(shares.suffix(5)), threshold: 5, byteCount: 32))
        #expect(rebuilt.publicKey == key.publicKey)
    }
}
