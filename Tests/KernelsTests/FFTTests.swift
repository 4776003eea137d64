import Foundation
import Kernels
import Testing

@Suite struct FFTTests {
    /// The FFT against the O(n²) definition of the DFT, and the inverse undoing it.
    @Test(arguments: [1, 2, 8, 64, 256])
    func matchesTheDefinitionAndInverts(size: Int) {
        var state: UInt64 = 0x1234_5678
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) * 0x1p-53 - 0.5
        }
        let realIn = (0..<size).map { _ in next() }, imagIn = (0..<size).map { _ in next() }
        var real = realIn, imag = imagIn
        let plan = FFTPlan(size: size)
        plan.forward(real: &real, imaginary: &imag)
        for k in 0..<size {
            var sumRe = 0.0, sumIm = 0.0
            for n in 0..<size {
                let angle = -2 * Double.pi * Double(k * n) / Double(size)
                sumRe += realIn[n] * cos(angle) - imagIn[n] * sin(angle)
                sumIm += realIn[n] * sin(angle) + imagIn[n] * cos(angle)
            }
            #expect(abs(real[k] - sumRe) < 1e-12 && abs(imag[k] - sumIm) < 1e-12)
        }
        plan.inverse(real: &real, imaginary: &imag)
        for n in 0..<size { #expect(abs(real[n] - realIn[n]) < 1e-14 && abs(imag[n] - imagIn[n]) < 1e-14) }
    }

    @Test func sizesRoundUpToPowersOfTwo() {
        #expect(FFTPlan.size(atLeast: 1) == 1 && FFTPlan.size(atLeast: 5) == 8 && FFTPlan.size(atLeast: 1024) == 1024)
    }
}
