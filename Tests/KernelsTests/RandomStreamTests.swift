import Foundation
import Kernels
import Testing

/// Philox against Random123's known-answer vectors, and the stream's draws against their distributions.
@Suite struct RandomStreamTests {
    /// Random123 `kat_vectors`, philox4x32 with 10 rounds: (counter, key) → output.
    @Test(arguments: [
        (SIMD4<UInt32>(0, 0, 0, 0), SIMD2<UInt32>(0, 0),
         SIMD4<UInt32>(0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8)),
        (SIMD4<UInt32>(repeating: 0xffff_ffff), SIMD2<UInt32>(repeating: 0xffff_ffff),
         SIMD4<UInt32>(0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd)),
        (SIMD4<UInt32>(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), SIMD2<UInt32>(0xa409_3822, 0x299f_31d0),
         SIMD4<UInt32>(0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1)),
    ])
    func philoxMatchesRandom123(counter: SIMD4<UInt32>, key: SIMD2<UInt32>, expected: SIMD4<UInt32>) {
        #expect(Philox.block(counter: counter, key: key) == expected)
    }

    @Test func streamIsAPureFunctionOfSeedAndKeys() {
        var first = RandomStream(seed: 7, keys: [3, 11])
        var second = RandomStream(seed: 7, keys: [3, 11])
        var otherKey = RandomStream(seed: 7, keys: [3, 12])
        var otherSeed = RandomStream(seed: 8, keys: [3, 11])
        let a = (0..<100).map { _ in first.nextUInt32() }
        #expect(a == (0..<100).map { _ in second.nextUInt32() })
        #expect(a != (0..<100).map { _ in otherKey.nextUInt32() })
        #expect(a != (0..<100).map { _ in otherSeed.nextUInt32() })
    }

    /// 200,000 normal draws: mean within 5 standard errors of 0, variance of 1, the 3σ tail near 0.27%.
    @Test func normalMomentsAndTail() {
        var stream = RandomStream(seed: 1, keys: [99])
        let n = 200_000
        var sum = 0.0, sumSquares = 0.0, sumFourth = 0.0, beyondThree = 0
        for _ in 0..<n {
            let x = stream.normal()
            sum += x; sumSquares += x * x; sumFourth += x * x * x * x
            if abs(x) > 3 { beyondThree += 1 }
        }
        let mean = sum / Double(n), variance = sumSquares / Double(n) - mean * mean
        #expect(abs(mean) < 5 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 5 * (2 / Double(n)).squareRoot())
        #expect(abs(sumFourth / Double(n) - 3) < 0.1)  // kurtosis of a normal is 3
        let tail = Double(beyondThree) / Double(n)  // P(|Z| > 3) = 0.0027
        #expect(abs(tail - 0.0027) < 5 * (0.0027 / Double(n)).squareRoot())
    }

    @Test func uniformAndBernoulliAndIntegers() {
        var stream = RandomStream(seed: 2)
        let n = 100_000
        var uniformSum = 0.0, heads = 0
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<n {
            let u = stream.uniform()
            #expect(u >= 0 && u < 1)
            uniformSum += Double(u)
            if stream.bernoulli(0.3) { heads += 1 }
            counts[stream.uniformInt(below: 7)] += 1
        }
        #expect(abs(uniformSum / Double(n) - 0.5) < 5 * (1.0 / 12 / Double(n)).squareRoot())
        #expect(abs(Double(heads) / Double(n) - 0.3) < 5 * (0.21 / Double(n)).squareRoot())
        for count in counts {
            #expect(abs(Double(count) / Double(n) - 1.0 / 7) < 5 * (1.0 / 7 * 6 / 7 / Double(n)).squareRoot())
        }
    }

    @Test func categoricalFollowsWeights() {
        var stream = RandomStream(seed: 3)
        let weights: [Float] = [0, 1, 3, 0, 6]
        var counts = [Int](repeating: 0, count: weights.count)
        let n = 100_000
        weights.withUnsafeBufferPointer { w in
            for _ in 0..<n { counts[stream.categorical(w)] += 1 }
        }
        #expect(counts[0] == 0 && counts[3] == 0)
        for (index, p) in [(1, 0.1), (2, 0.3), (4, 0.6)] {
            #expect(abs(Double(counts[index]) / Double(n) - p) < 5 * (p * (1 - p) / Double(n)).squareRoot())
        }
    }
}
