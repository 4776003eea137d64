/// Arithmetic in GF(p), p = 2^61 − 1 (a Mersenne prime): the field of our Shamir sharing.
///
/// A Mersenne modulus reduces a 122-bit product with two shifts and adds, no division. Secrets are
/// cut into 7-byte (56-bit) chunks, each below p, and shared chunk by chunk with independent
/// polynomials at the same points.
package enum PrimeField {
    package static let modulus: UInt64 = (1 << 61) - 1

    @inline(__always)
    package static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let sum = a &+ b  // both < 2^61: no overflow
        return sum >= modulus ? sum &- modulus : sum
    }

    @inline(__always)
    package static func subtract(_ a: UInt64, _ b: UInt64) -> UInt64 {
        a >= b ? a &- b : a &+ modulus &- b
    }

    @inline(__always)
    package static func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (high, low) = a.multipliedFullWidth(by: b)
        // product = high·2^64 + low = (high·2^3 + low>>61)·2^61 + (low & p), and 2^61 ≡ 1 (mod p).
        let folded = (low & modulus) &+ ((high << 3) | (low >> 61))
        let once = (folded & modulus) &+ (folded >> 61)
        return once >= modulus ? once &- modulus : once
    }

    /// a^(p−2) = a⁻¹ for a ≠ 0 (Fermat).
    package static func inverse(_ a: UInt64) -> UInt64 {
        precondition(a % modulus != 0, "zero has no inverse")
        var result: UInt64 = 1, base = a % modulus, exponent = modulus - 2
        while exponent > 0 {
            if exponent & 1 == 1 { result = multiply(result, base) }
            base = multiply(base, base)
            exponent >>= 1
        }
        return result
    }

    /// A uniform field element from a uniform 64-bit word (rejection keeps it exactly uniform).
    package static func element(fromUniform word: UInt64) -> UInt64? {
        let candidate = word >> 3  // 61 bits
        return candidate < modulus ? candidate : nil
    }
}
