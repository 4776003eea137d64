import Foundation
import Kernels

/// Why values cannot be carried through the ring as configured.
package enum QuantizationError: Error, Equatable, CustomStringConvertible {
    case ringTooSmall(bits: Int, contributors: Int, neededBits: Int)

    package var description: String {
        switch self {
        case let .ringTooSmall(bits, contributors, neededBits):
            "a \(bits)-bit ring cannot hold the sum of \(contributors) clients' updates without wrapping; it needs at least \(neededBits) bits"
        }
    }
}

/// Fixed-point encoding of real vectors into the ring Z_2^bits that secure aggregation sums in, and
/// back (Bonawitz et al. 2017 sum integers mod R; Kairouz, Liu & Steinke 2021 §4 do the same
/// for distributed DP).
///
/// Each coordinate x with |x| ≤ `valueBound` is scaled by `scale` and rounded stochastically (up with
/// probability equal to the fractional part), so E[decode(encode(x))] = x exactly; negatives are
/// stored as their two's complement mod 2^bits. The scale leaves headroom for `contributors` clients
/// plus a noise margin, so the ring sum of everyone's encodings is the true integer sum: it cannot
/// wrap, and decoding reads it as a signed integer.
package struct RingQuantization: Sendable, Equatable {
    package var bits: Int
    /// Ring units per unit of value.
    package var scale: Double
    /// The largest |x| a client may encode (values beyond are clamped, which clipping makes moot);
    /// infinite for integer values, which carry unbounded noise shares.
    package var valueBound: Double

    /// An encoding with a given scale; `forSum` chooses the scale that cannot wrap.
    package init(bits: Int, scale: Double, valueBound: Double) {
        precondition((1...32).contains(bits))
        self.bits = bits
        self.scale = scale
        self.valueBound = valueBound
    }

    /// The largest scale at which `contributors` values each within ±`valueBound` (after rounding up
    /// by one unit) plus `noiseMargin` ring units of summed noise stay below 2^(bits−1) in magnitude.
    ///
    /// - Parameter integerValues: the values are already integers (the integer DP mechanisms), so the
    ///   scale is 1 and this only checks that the ring is wide enough.
    package static func forSum(bits: Int, contributors: Int, valueBound: Double, noiseMargin: Double = 0,
                               integerValues: Bool = false) throws(QuantizationError) -> RingQuantization {
        let n = Double(max(contributors, 1))
        let half = Double(UInt64(1) << UInt64(bits - 1)) - 1
        let perClient = (half - noiseMargin) / n - 1  // ring units one client may use, after rounding's +1
        // Bits for a signed sum of this magnitude: the magnitude's bits plus the sign.
        let needed = { (magnitude: Double) in Int(log2(magnitude + 1).rounded(.up)) + 1 }
        if integerValues {
            guard perClient >= valueBound else {
                throw .ringTooSmall(bits: bits, contributors: contributors, neededBits: needed(n * (valueBound + 1) + noiseMargin))
            }
            // Each client's values carry its share of the noise, so they are not clamped: only their sum
            // is bounded (with the noise margin), and that is what must not wrap.
            return RingQuantization(bits: bits, scale: 1, valueBound: .infinity)
        }
        // At least 16 ring units per value unit at the bound, or the rounding noise swamps the update.
        guard perClient >= 16 else {
            throw .ringTooSmall(bits: bits, contributors: contributors, neededBits: needed(n * 17 + noiseMargin))
        }
        return RingQuantization(bits: bits, scale: perClient / valueBound, valueBound: valueBound)
    }

    /// The mask that reduces a 32-bit word mod 2^bits.
    package var ringMask: UInt32 { bits == 32 ? .max : (UInt32(1) << UInt32(bits)) &- 1 }

    /// Stochastically rounded ring elements of `values`. The rounding draws are AES-CTR keystream
    /// words under `roundingSeed` (16 bytes; the caller derives it from the run's seed, round and
    /// client, so the encoding is reproducible): u = word/2³², and x·scale becomes ⌊x·scale + u⌋. In
    /// double precision x·scale + u keeps at least 21 bits of u (|x·scale| < 2³¹), so the rounding is
    /// unbiased to within 2⁻²¹ of a ring unit; AES keystream costs a fraction of a counter-based draw.
    package func encode(_ values: UnsafeBufferPointer<Float>, into ring: UnsafeMutableBufferPointer<UInt32>,
                        roundingSeed: [UInt8], expander: borrowing MaskExpander) throws(CryptoError) {
        precondition(values.count == ring.count)
        try expander.fill(seed: roundingSeed, into: ring)  // ring now holds 32-bit random words
        let scale = scale, limit = valueBound * scale, mask = ringMask
        // Stochastic rounding is ⌊x + u⌋ with u uniform in [0, 1): up exactly when u ≥ 1 − frac. Adding
        // 1.5·2⁵² to x + u − ½ rounds it to the nearest integer (that is the floor, but on an exact tie,
        // of probability 2⁻³²) and leaves the integer's two's complement in the low bits of the double:
        // no call to floor and no trapping conversion, so the loop vectorises.
        let magic = 6_755_399_441_055_744.0, unit = 1 / 4_294_967_296.0
        for index in 0..<values.count {
            let scaled = Swift.min(Swift.max(Double(values[index]) * scale, -limit), limit)
            let shifted = scaled + (Double(ring[index]) * unit - 0.5) + magic
            ring[index] = UInt32(truncatingIfNeeded: shifted.bitPattern) & mask
        }
    }

    /// A rounding seed from a simulation stream (tests, and runs, key it by seed, round and client).
    package static func roundingSeed(_ stream: inout RandomStream) -> [UInt8] {
        (0..<4).flatMap { _ in
            let word = stream.nextUInt32()
            return (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * UInt32($0))) }
        }
    }

    /// Real values from a ring sum: each element read as a signed integer in [−2^(bits−1), 2^(bits−1)).
    package func decode(_ ring: UnsafeBufferPointer<UInt32>, into values: UnsafeMutableBufferPointer<Float>) {
        precondition(values.count == ring.count)
        let mask = ringMask, half = Int64(1) << Int64(bits - 1), modulus = Int64(1) << Int64(bits)
        let inverse = 1 / scale
        for index in 0..<ring.count {
            let element = Int64(ring[index] & mask)
            let signed = element >= half ? element - modulus : element
            values[index] = Float(Double(signed) * inverse)
        }
    }
}
