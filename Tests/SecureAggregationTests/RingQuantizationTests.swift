import Kernels
import SecureAggregation
import Testing

@Suite struct RingQuantizationTests {
    /// Stochastic rounding is unbiased: the mean of many decodes of x is x, within 5 standard errors.
    @Test(arguments: [0.3, -0.71, 0.999, -1.0, 1e-4])
    func decodingIsUnbiased(value: Double) throws {
        let q = try RingQuantization.forSum(bits: 12, contributors: 10, valueBound: 1)  // coarse: step ≈ 1/203
        let trials = 20_000
        var input = [Float](repeating: Float(value), count: trials), ring = [UInt32](repeating: 0, count: trials)
        var decoded = [Float](repeating: 0, count: trials)
        var stream = RandomStream(seed: 7, keys: [UInt64(bitPattern: Int64(value * 1e6))])
        let seed = RingQuantization.roundingSeed(&stream), expander = try MaskExpander()
        try input.withUnsafeBufferPointer { input in
            try ring.withUnsafeMutableBufferPointer { try q.encode(input, into: $0, roundingSeed: seed, expander: expander) }
        }
        ring.withUnsafeBufferPointer { ring in decoded.withUnsafeMutableBufferPointer { q.decode(ring, into: $0) } }
        let mean = decoded.reduce(0.0) { $0 + Double($1) } / Double(trials)
        let scaled = Float(value) * Float(q.scale), fraction = Double(scaled - scaled.rounded(.down))
        let standardError = (fraction * (1 - fraction)).squareRoot() / q.scale / Double(trials).squareRoot()
        #expect(abs(mean - Double(Float(value))) <= 5 * standardError + 1e-9)
        #expect(Set(decoded).count <= 2)  // only the two neighbouring grid points
    }

    /// The ring sum of n clients at the bound in either direction decodes to n times the bound: no wrap.
    @Test(arguments: [8, 16, 24, 32])
    func extremeSumsDoNotWrap(bits: Int) throws {
        let n = 7
        let q = try RingQuantization.forSum(bits: bits, contributors: n, valueBound: 2.5)
        for sign: Float in [1, -1] {
            var sum: UInt32 = 0
            var stream = RandomStream(seed: 1)
            let expander = try MaskExpander()
            for _ in 0..<n {
                var element: UInt32 = 0
                let seed = RingQuantization.roundingSeed(&stream)
                try [sign * 2.5].withUnsafeBufferPointer { input in
                    try withUnsafeMutablePointer(to: &element) {
                        try q.encode(input, into: UnsafeMutableBufferPointer(start: $0, count: 1), roundingSeed: seed, expander: expander)
                    }
                }
                sum &+= element
            }
            var decoded: Float = 0
            [sum].withUnsafeBufferPointer { ring in
                withUnsafeMutablePointer(to: &decoded) { q.decode(ring, into: UnsafeMutableBufferPointer(start: $0, count: 1)) }
            }
            #expect(abs(decoded - sign * 2.5 * Float(n)) <= Float(n) / Float(q.scale) + 1e-4)
        }
    }

    @Test func tooNarrowARingIsRefused() {
        #expect(throws: QuantizationError.self) { try RingQuantization.forSum(bits: 8, contributors: 100, valueBound: 1) }
        #expect(throws: QuantizationError.self) {
            try RingQuantization.forSum(bits: 16, contributors: 10, valueBound: 40_000, integerValues: true)
        }
    }

    @Test(arguments: [1, 5, 8, 13, 16, 20, 24, 31, 32])
    func bitPackingRoundTrips(bits: Int) {
        var stream = RandomStream(seed: UInt64(bits))
        let mask: UInt32 = bits == 32 ? .max : (1 << UInt32(bits)) - 1
        let values = (0..<1001).map { _ in stream.nextUInt32() & mask }
        let packed = values.withUnsafeBufferPointer { BitPacking.pack($0, bits: bits) }
        #expect(packed.count == (1001 * bits + 7) / 8)
        var unpacked = [UInt32](repeating: 0, count: 1001)
        let ok = packed.withUnsafeBytes { bytes in unpacked.withUnsafeMutableBufferPointer { BitPacking.unpack(bytes, bits: bits, into: $0) } }
        #expect(ok)
        #expect(unpacked == values)
    }
}
