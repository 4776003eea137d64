import Foundation
import Kernels
import MurmurTestSupport
import Testing

@Suite struct FloatFFTTests {
    static let sizes = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

    /// The O(N²) definition in Double: the oracle.
    static func naiveDFT(real: [Float], imaginary: [Float]) -> (real: [Double], imaginary: [Double]) {
        let n = real.count
        var outRe = [Double](repeating: 0, count: n), outIm = [Double](repeating: 0, count: n)
        for k in 0..<n {
            for m in 0..<n {
                let angle = -2 * Double.pi * Double((k * m) % n) / Double(n)
                outRe[k] += Double(real[m]) * cos(angle) - Double(imaginary[m]) * sin(angle)
                outIm[k] += Double(real[m]) * sin(angle) + Double(imaginary[m]) * cos(angle)
            }
        }
        return (outRe, outIm)
    }

    /// Single-precision round-off of a radix-2 FFT grows as ε · log₂N · ‖x‖ (Higham 2002, §24.1); inputs
    /// are uniform in [−1, 1), so ‖x‖ ≈ √(N/3) per bin. 8 ε (log₂N + 1) √N bounds it with margin.
    static func tolerance(_ n: Int) -> Double {
        8 * Double(Float.ulpOfOne) * (log2(Double(n)) + 1) * Double(n).squareRoot()
    }

    @Test(arguments: sizes)
    func complexMatchesTheDefinitionAndInverts(size: Int) {
        var random = TestRandom(seed: UInt64(size))
        let realIn = random.floats(size), imagIn = random.floats(size)
        var real = realIn, imag = imagIn
        let plan = FloatFFT(size: size)
        real.withUnsafeMutableBufferPointer { re in imag.withUnsafeMutableBufferPointer { im in plan.forward(real: re, imaginary: im) } }
        let expected = Self.naiveDFT(real: realIn, imaginary: imagIn)
        var worst = 0.0
        for k in 0..<size {
            worst = max(worst, abs(Double(real[k]) - expected.real[k]), abs(Double(imag[k]) - expected.imaginary[k]))
        }
        #expect(worst <= Self.tolerance(size), "size \(size): worst error \(worst)")
        real.withUnsafeMutableBufferPointer { re in imag.withUnsafeMutableBufferPointer { im in plan.inverse(real: re, imaginary: im) } }
        #expect(worstCloseness(real, realIn, rtol: 0, atol: Self.tolerance(size)) <= 1)
        #expect(worstCloseness(imag, imagIn, rtol: 0, atol: Self.tolerance(size)) <= 1)
    }

    @Test(arguments: sizes)
    func realMatchesTheDefinition(size: Int) {
        var random = TestRandom(seed: 100 + UInt64(size))
        let x = random.floats(size)
        let plan = FloatRealFFT(size: size)
        var real = [Float](repeating: .nan, count: plan.binCount), imag = real
        x.withUnsafeBufferPointer { xp in
            real.withUnsafeMutableBufferPointer { re in imag.withUnsafeMutableBufferPointer { im in plan.forward(xp, real: re, imaginary: im) } }
        }
        let expected = Self.naiveDFT(real: x, imaginary: [Float](repeating: 0, count: size))
        var worst = 0.0
        for k in 0..<plan.binCount {
            worst = max(worst, abs(Double(real[k]) - expected.real[k]), abs(Double(imag[k]) - expected.imaginary[k]))
        }
        #expect(worst <= Self.tolerance(size), "size \(size): worst error \(worst)")
    }

    /// Parseval: Σ|x|² = (1/N) Σ|X|², for the complex transform and for the real one's half spectrum
    /// (inner bins counted twice, since X_{N−k} = conj X_k).
    @Test(arguments: sizes)
    func parsevalHolds(size: Int) {
        var random = TestRandom(seed: 200 + UInt64(size))
        let x = random.floats(size), y = random.floats(size)
        var real = x, imag = y
        FloatFFT(size: size).forward(real: &real, imaginary: &imag)
        let timeEnergy = zip(x, y).reduce(0.0) { $0 + Double($1.0 * $1.0) + Double($1.1 * $1.1) }
        let frequencyEnergy = zip(real, imag).reduce(0.0) { $0 + Double($1.0 * $1.0) + Double($1.1 * $1.1) } / Double(size)
        #expect(isClose(frequencyEnergy, timeEnergy, rtol: 1e-5))

        let plan = FloatRealFFT(size: size)
        var power = [Float](repeating: 0, count: plan.binCount), re = power, im = power
        x.withUnsafeBufferPointer { xp in
            plan.powerSpectrum(xp, into: &power, real: &re, imaginary: &im)
        }
        var halfEnergy = 0.0
        for k in 0..<plan.binCount {
            let inner = k != 0 && 2 * k != size
            halfEnergy += Double(power[k]) * (inner ? 2 : 1)
        }
        let realEnergy = x.reduce(0.0) { $0 + Double($1 * $1) }
        #expect(isClose(halfEnergy / Double(size), realEnergy, rtol: 1e-5))
    }
}

extension FloatFFT {
    /// Array convenience for tests.
    fileprivate func forward(real: inout [Float], imaginary: inout [Float]) {
        real.withUnsafeMutableBufferPointer { re in imaginary.withUnsafeMutableBufferPointer { im in forward(real: re, imaginary: im) } }
    }
}

extension FloatRealFFT {
    fileprivate func powerSpectrum(_ x: UnsafeBufferPointer<Float>, into power: inout [Float], real: inout [Float],
                                   imaginary: inout [Float]) {
        power.withUnsafeMutableBufferPointer { p in
            real.withUnsafeMutableBufferPointer { re in
                imaginary.withUnsafeMutableBufferPointer { im in powerSpectrum(x, into: p, real: re, imaginary: im) }
            }
        }
    }
}
