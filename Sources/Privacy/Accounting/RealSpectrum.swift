import Foundation
import Kernels
import Synchronization

/// The Fourier transform of a real sequence of even length N by one complex FFT of length N/2, and
/// back: the even and odd samples ride as the real and imaginary parts, and one twiddle pass splits
/// the result into the N/2 + 1 coefficients a real sequence has (the rest are their conjugates).
/// Half the work and memory of a complex transform of the same length (Press et al., Numerical
/// Recipes §12.3, "FFT of real functions").
///
/// Self-composing a loss distribution is such a transform, a pointwise power and the inverse, so
/// this halves the accountant's cost in its widest regimes.
package struct RealSpectrum: Sendable {
    /// The real sequence's length: a power of two, at least 2.
    package let length: Int
    /// Coefficients 0 … length/2.
    package var real: [Double]
    package var imaginary: [Double]

    /// cos and sin of 2πk/N for k < N/2, per N, kept for the process as `FFTPlan.shared` keeps plans.
    private static let twiddles = Mutex<[Int: (cosines: [Double], sines: [Double])]>([:])

    private static func twiddles(length: Int) -> (cosines: [Double], sines: [Double]) {
        if let found = twiddles.withLock({ $0[length] }) { return found }
        let table = FFTPlan.roots(count: length / 2, of: length)
        twiddles.withLock { $0[length] = table }
        return table
    }

    /// X_k = Σ_n x_n e^(−2πi kn/N) for k = 0 … N/2, N = `length`; `values` beyond N wrap (index mod N),
    /// shorter ones are zero-padded.
    package init(_ values: [Double], length: Int) {
        precondition(length >= 2 && length & (length - 1) == 0, "RealSpectrum: length must be a power of two ≥ 2")
        self.length = length
        let half = length / 2
        var evens = [Double](repeating: 0, count: half), odds = [Double](repeating: 0, count: half)
        for (index, value) in values.enumerated() {
            let slot = index & (length - 1)
            if slot & 1 == 0 { evens[slot >> 1] += value } else { odds[slot >> 1] += value }
        }
        FFTPlan.shared(size: half).forward(real: &evens, imaginary: &odds)
        let (cosines, sines) = Self.twiddles(length: length)
        var re = [Double](repeating: 0, count: half + 1), im = [Double](repeating: 0, count: half + 1)
        for k in 0...half {
            // Z_k and conj(Z_(M−k)), with Z_M = Z_0.
            let a = k & (half - 1), b = (half - k) & (half - 1)
            let zr = evens[a], zi = odds[a], cr = evens[b], ci = -odds[b]
            let evenR = (zr + cr) / 2, evenI = (zi + ci) / 2
            // (Z_k − conj Z_(M−k)) / (2i)
            let oddR = (zi - ci) / 2, oddI = -(zr - cr) / 2
            // times e^(−2πik/N) = cos − i·sin (k = N/2 gives −1).
            let c = k < half ? cosines[k] : -1, s = k < half ? sines[k] : 0
            re[k] = evenR + oddR * c + oddI * s
            im[k] = evenI + oddI * c - oddR * s
        }
        real = re
        imaginary = im
    }

    /// The real sequence x_n = (1/N) Σ_k X_k e^(2πi kn/N), n < N, with X_(N−k) = conj X_k.
    package func inverse() -> [Double] {
        let half = length / 2
        let (cosines, sines) = Self.twiddles(length: length)
        var zr = [Double](repeating: 0, count: half), zi = [Double](repeating: 0, count: half)
        for k in 0..<half {
            // E_k = (X_k + conj X_(M−k))/2, O_k = (X_k − conj X_(M−k))·e^(2πik/N)/2, Z_k = E_k + i·O_k.
            let xr = real[k], xi = imaginary[k], yr = real[half - k], yi = -imaginary[half - k]
            let er = (xr + yr) / 2, ei = (xi + yi) / 2
            let dr = (xr - yr) / 2, di = (xi - yi) / 2
            let c = cosines[k], s = sines[k]
            let or = dr * c - di * s, oi = dr * s + di * c
            zr[k] = er - oi
            zi[k] = ei + or
        }
        FFTPlan.shared(size: half).inverse(real: &zr, imaginary: &zi)
        var values = [Double](repeating: 0, count: length)
        for m in 0..<half {
            values[2 * m] = zr[m]
            values[2 * m + 1] = zi[m]
        }
        return values
    }
}
