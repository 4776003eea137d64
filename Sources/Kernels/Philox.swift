/// The Philox-4x32-10 counter-based generator: a keyed bijection from a 128-bit counter to 128 random bits.
///
/// Output is a pure function of (key, counter), so any draw can be recomputed in any order on any
/// thread — what lets Murmur key randomness by (seed, round, client, purpose) and stay deterministic on
/// any number of cores. Salmon, Moraes, Dror & Shaw 2011, "Parallel random numbers: as easy as 1, 2, 3"
/// (SC'11), §4.2; constants and known-answer vectors from the Random123 library.
package enum Philox {
    /// Encrypts one counter under a key with ten rounds.
    @inlinable
    package static func block(counter: SIMD4<UInt32>, key: SIMD2<UInt32>) -> SIMD4<UInt32> {
        var c = counter
        var k = key
        for round in 0..<10 {
            if round > 0 { k &+= SIMD2(0x9E37_79B9, 0xBB67_AE85) }
            let product0 = UInt64(0xD251_1F53) &* UInt64(c[0])
            let product1 = UInt64(0xCD9E_8D57) &* UInt64(c[2])
            c = SIMD4(
                UInt32(truncatingIfNeeded: product1 >> 32) ^ c[1] ^ k[0],
                UInt32(truncatingIfNeeded: product1),
                UInt32(truncatingIfNeeded: product0 >> 32) ^ c[3] ^ k[1],
                UInt32(truncatingIfNeeded: product0))
        }
        return c
    }
}
