import Foundation
import Kernels
import Testing

/// The radix-4 Stockham FFT against the defining sum, at sizes with an even and an odd number of radix-2
/// factors (the latter end in a radix-2 pass).
@Suite struct FFTPlanTests {
    static func randomSignal(_ count: Int, seed: UInt64) -> ([Double], [Double]) {
        var state = seed
        func next() -> Double {
            // SplitMix64: a fixed sequence, so a failure reproduces.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53) - 0.5
        }
        return ((0..<count).map { _ in next() }, (0..<count).map { _ in next() })
    }

    /// X_k = Σ x_n e^(−2πi kn/N), summed directly (N² products) for N up to 128.
    @Test(arguments: [1, 2, 4, 8, 16, 32, 64, 128])
    func matchesTheDefiningSum(size: Int) {
        let (xr, xi) = Self.randomSignal(size, seed: UInt64(size))
        var real = xr, imaginary = xi
        FFTPlan(size: size).forward(real: &real, imaginary: &imaginary)
        for k in 0..<size {
            var sr = 0.0, si = 0.0
            for n in 0..<size {
                let angle = -2 * Double.pi * Double((k * n) % size) / Double(size)
                sr += xr[n] * cos(angle) - xi[n] * sin(angle)
                si += xr[n] * sin(angle) + xi[n] * cos(angle)
            }
            #expect(abs(real[k] - sr) < 1e-12 && abs(imaginary[k] - si) < 1e-12, "N \(size) k \(k): \(real[k]), \(imaginary[k]) vs \(sr), \(si)")
        }
    }

    /// At 2¹² and 2¹³ points, sixteen outputs against the defining sum (N products each), and back to
    /// the input by the inverse.
    @Test(arguments: [1 << 12, 1 << 13])
    func matchesTheSumAtLargeSizesAndInverts(size: Int) {
        let (xr, xi) = Self.randomSignal(size, seed: 7)
        var real = xr, imaginary = xi
        let plan = FFTPlan(size: size)
        plan.forward(real: &real, imaginary: &imaginary)
        var largest = 0.0
        for k in stride(from: 0, to: size, by: size / 16) + [size - 1] {
            var sr = 0.0, si = 0.0
            for n in 0..<size {
                let angle = -2 * Double.pi * Double((k * n) % size) / Double(size)
                sr += xr[n] * cos(angle) - xi[n] * sin(angle)
                si += xr[n] * sin(angle) + xi[n] * cos(angle)
            }
            largest = max(largest, abs(real[k] - sr), abs(imaginary[k] - si))
        }
        #expect(largest < 1e-10, "largest difference \(largest)")
        plan.inverse(real: &real, imaginary: &imaginary)
        var back = 0.0
        for n in 0..<size { back = max(back, abs(real[n] - xr[n]), abs(imaginary[n] - xi[n])) }
        #expect(back < 1e-13, "round trip \(back)")
    }

    /// The two-level root table against direct cos and sin.
    @Test func rootsAreAccurate() {
        let (c, s) = FFTPlan.roots(count: 1 << 15, of: 1 << 17)
        for k in stride(from: 0, to: 1 << 15, by: 97) {
            let angle = 2 * Double.pi * Double(k) / Double(1 << 17)
            #expect(abs(c[k] - cos(angle)) < 1e-15 && abs(s[k] - sin(angle)) < 1e-15, "k \(k)")
        }
    }

    @Test func sizesRoundUpToPowersOfTwo() {
        #expect(FFTPlan.size(atLeast: 1) == 1 && FFTPlan.size(atLeast: 5) == 8 && FFTPlan.size(atLeast: 1024) == 1024)
    }
}
