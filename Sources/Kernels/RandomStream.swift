import Foundation

/// A stream of random numbers that is a pure function of a seed and a tuple of keys.
///
/// `RandomStream(seed: 7, keys: round, client, Purpose.dropout)` always yields the same sequence, whatever
/// thread draws it or in what order streams are created: the seed is the Philox key and the keys are
/// mixed into the high half of the counter, whose low half counts blocks. It is a value: pass it
/// `inout`, never share it.
package struct RandomStream: Sendable {
    private let key: SIMD2<UInt32>
    private let streamID: UInt64
    private var blockIndex: UInt64 = 0
    private var buffer = SIMD4<UInt32>()
    private var buffered = 0

    /// The stream for `seed` and `keys` (e.g. round, client index, purpose code).
    package init(seed: UInt64, keys: [UInt64] = []) {
        key = SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        var mixed: UInt64 = 0x6A09_E667_F3BC_C908
        for value in keys { mixed = Self.splitMix(mixed ^ Self.splitMix(value)) }
        streamID = mixed
    }

    /// The next 32 random bits.
    package mutating func nextUInt32() -> UInt32 {
        if buffered == 0 {
            let counter = SIMD4<UInt32>(
                UInt32(truncatingIfNeeded: blockIndex), UInt32(truncatingIfNeeded: blockIndex >> 32),
                UInt32(truncatingIfNeeded: streamID), UInt32(truncatingIfNeeded: streamID >> 32))
            buffer = Philox.block(counter: counter, key: key)
            blockIndex &+= 1
            buffered = 4
        }
        buffered -= 1
        return buffer[3 - buffered]
    }

    /// The next 64 random bits.
    package mutating func nextUInt64() -> UInt64 {
        UInt64(nextUInt32()) << 32 | UInt64(nextUInt32())
    }

    /// A uniform Float in [0, 1), with 24 random bits.
    package mutating func uniform() -> Float {
        Float(nextUInt32() >> 8) * 0x1p-24
    }

    /// A uniform Double in [0, 1), with 53 random bits.
    package mutating func uniformDouble() -> Double {
        Double(nextUInt64() >> 11) * 0x1p-53
    }

    /// A uniform integer in `0..<upperBound`, unbiased (Lemire 2019, "Fast random integer generation in an
    /// interval", with rejection).
    package mutating func uniformInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "uniformInt: upper bound must be positive")
        let bound = UInt64(upperBound)
        let threshold = (0 &- bound) % bound
        while true {
            let product = nextUInt64().multipliedFullWidth(by: bound)
            if product.low >= threshold { return Int(product.high) }
        }
    }

    /// A standard normal draw (Box–Muller in Double, one of the pair kept so each draw uses fixed bits).
    package mutating func normal() -> Double {
        let u1 = 1 - uniformDouble()  // (0, 1]: log is finite
        let u2 = uniformDouble()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// True with probability `p`.
    package mutating func bernoulli(_ p: Double) -> Bool {
        uniformDouble() < p
    }

    /// An index drawn with probability proportional to `weights` (non-negative, not all zero), by
    /// inverse CDF over the running sum.
    package mutating func categorical(_ weights: UnsafeBufferPointer<Float>) -> Int {
        var total = 0.0
        for w in weights { total += Double(w) }
        precondition(total > 0, "categorical: weights sum to zero")
        let target = uniformDouble() * total
        var running = 0.0
        for (index, w) in weights.enumerated() {
            running += Double(w)
            if target < running { return index }
        }
        return weights.lastIndex { $0 > 0 }!
    }

    /// Fills `out` with independent N(mean, std²) draws.
    package mutating func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, mean: Float = 0, std: Float = 1) {
        for i in out.indices { out[i] = mean + std * Float(normal()) }
    }

    /// Fills `out` with independent uniform draws in [low, high).
    package mutating func fillUniform(_ out: UnsafeMutableBufferPointer<Float>, low: Float, high: Float) {
        for i in out.indices { out[i] = low + (high - low) * uniform() }
    }

    /// SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mix for keys.
    private static func splitMix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
