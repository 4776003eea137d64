import Foundation
import Synchronization

/// A complex fast Fourier transform of one power-of-two size, in double precision, on split real and
/// imaginary arrays: radix-4 Stockham (self-sorting, out of place between the data and one scratch pair,
/// a final radix-2 pass when log₂N is odd).
///
/// The privacy accountant composes loss distributions with it (double precision keeps the round-off near
/// 1e-16 of the largest mass, far below the δ ≈ 1e-6 being computed), at up to 2²⁰ points, so it is
/// built for that: against the radix-2 Cooley–Tukey it replaced (whose passes, bit-reversal permutation
/// and N-entry tables were two thirds of a PLD call at 2¹⁹ points) the passes are half as many, each
/// streams its arrays in order, nothing is permuted, and the twiddle table holds N/4 roots built from
/// 2√N trig calls. The loop structure is OTFFT's radix-4 Stockham (Takuya Okahisa; Stockham 1966; Van
/// Loan, "Computational Frameworks for the Fast Fourier Transform", §1.7).
package struct FFTPlan: Sendable {
    /// A power of two, at least 1.
    package let size: Int
    /// e^(−2πik/size) for k < max(1, size/4), as cos and −sin.
    private let cosines: [Double]
    private let sines: [Double]

    package init(size: Int) {
        precondition(size > 0 && size & (size - 1) == 0, "FFTPlan: size must be a power of two")
        self.size = size
        (cosines, sines) = Self.roots(count: max(1, size / 4), of: size)
    }

    private static let plans = Mutex<[Int: FFTPlan]>([:])

    /// The smallest power of two ≥ `count`.
    package static func size(atLeast count: Int) -> Int {
        count <= 1 ? 1 : 1 << (Int.bitWidth - (count - 1).leadingZeroBitCount)
    }

    /// The plan of `size`, built once per process: the accountant asks for the same few sizes again and
    /// again while it calibrates.
    package static func shared(size: Int) -> FFTPlan {
        if let plan = plans.withLock({ $0[size] }) { return plan }
        let plan = FFTPlan(size: size)
        plans.withLock { $0[size] = plan }
        return plan
    }

    /// cos and sin of 2πk/`length` for k < `count`, as products of a coarse and a fine table
    /// (angle = coarse + fine): 2√count trig calls instead of 2·count, each root within a few ulp.
    package static func roots(count: Int, of length: Int) -> (cosines: [Double], sines: [Double]) {
        let step = 2 * Double.pi / Double(length)
        let block = max(1, Int(Double(count).squareRoot().rounded(.up)))
        let fineC = (0..<block).map { cos(step * Double($0)) }, fineS = (0..<block).map { sin(step * Double($0)) }
        var c = [Double](repeating: 0, count: count), s = [Double](repeating: 0, count: count)
        var high = 0
        while high < count {
            let angle = step * Double(high)
            let hc = cos(angle), hs = sin(angle)
            for low in 0..<min(block, count - high) {
                c[high + low] = hc * fineC[low] - hs * fineS[low]
                s[high + low] = hs * fineC[low] + hc * fineS[low]
            }
            high += block
        }
        return (c, s)
    }

    /// In place: X_k = Σ_n x_n e^(−2πi kn/N).
    package func forward(real: inout [Double], imaginary: inout [Double]) {
        precondition(real.count == size && imaginary.count == size, "FFTPlan: arrays must have the plan's size")
        var scratchR = [Double](repeating: 0, count: size), scratchI = [Double](repeating: 0, count: size)
        real.withUnsafeMutableBufferPointer { xr in
            imaginary.withUnsafeMutableBufferPointer { xi in
                scratchR.withUnsafeMutableBufferPointer { yr in
                    scratchI.withUnsafeMutableBufferPointer { yi in
                        transform(xr.baseAddress!, xi.baseAddress!, yr.baseAddress!, yi.baseAddress!)
                    }
                }
            }
        }
    }

    /// In place: x_n = (1/N) Σ_k X_k e^(2πi kn/N), as the conjugate of the forward transform of the conjugate.
    package func inverse(real: inout [Double], imaginary: inout [Double]) {
        let scale = 1 / Double(size)
        for index in 0..<size { imaginary[index] = -imaginary[index] }
        forward(real: &real, imaginary: &imaginary)
        for index in 0..<size {
            real[index] *= scale
            imaginary[index] = -imaginary[index] * scale
        }
    }

    /// The passes from (xr, xi) through (yr, yi) and back; the result ends in (xr, xi).
    private func transform(_ xr: UnsafeMutablePointer<Double>, _ xi: UnsafeMutablePointer<Double>,
                           _ yr: UnsafeMutablePointer<Double>, _ yi: UnsafeMutablePointer<Double>) {
        var (sr, si, dr, di) = (xr, xi, yr, yi)
        var n = size, s = 1
        cosines.withUnsafeBufferPointer { wc in
            sines.withUnsafeBufferPointer { ws in
                while n >= 4 {
                    let n1 = n / 4
                    for p in 0..<n1 {
                        // w = e^(−2πi p/n) = table[p·s]; w² and w³ by products.
                        let w1r = wc[p * s], w1i = -ws[p * s]
                        let w2r = w1r * w1r - w1i * w1i, w2i = 2 * w1r * w1i
                        let w3r = w1r * w2r - w1i * w2i, w3i = w1r * w2i + w1i * w2r
                        let a = s * p, b = s * (p + n1), c = s * (p + 2 * n1), d = s * (p + 3 * n1), out = s * 4 * p
                        for q in 0..<s {
                            let ar = sr[a + q], ai = si[a + q], br = sr[b + q], bi = si[b + q]
                            let cr = sr[c + q], ci = si[c + q], er = sr[d + q], ei = si[d + q]
                            let apcR = ar + cr, apcI = ai + ci, amcR = ar - cr, amcI = ai - ci
                            let bpdR = br + er, bpdI = bi + ei
                            // j·(b − d), j = i.
                            let jR = -(bi - ei), jI = br - er
                            dr[out + q] = apcR + bpdR
                            di[out + q] = apcI + bpdI
                            let t1r = amcR - jR, t1i = amcI - jI
                            dr[out + s + q] = w1r * t1r - w1i * t1i
                            di[out + s + q] = w1r * t1i + w1i * t1r
                            let t2r = apcR - bpdR, t2i = apcI - bpdI
                            dr[out + 2 * s + q] = w2r * t2r - w2i * t2i
                            di[out + 2 * s + q] = w2r * t2i + w2i * t2r
                            let t3r = amcR + jR, t3i = amcI + jI
                            dr[out + 3 * s + q] = w3r * t3r - w3i * t3i
                            di[out + 3 * s + q] = w3r * t3i + w3i * t3r
                        }
                    }
                    swap(&sr, &dr)
                    swap(&si, &di)
                    n /= 4
                    s *= 4
                }
            }
        }
        if n == 2 {
            for q in 0..<s {
                let ar = sr[q], ai = si[q], br = sr[q + s], bi = si[q + s]
                dr[q] = ar + br; di[q] = ai + bi
                dr[q + s] = ar - br; di[q + s] = ai - bi
            }
            swap(&sr, &dr)
            swap(&si, &di)
        }
        if sr != xr {
            xr.update(from: sr, count: size)
            xi.update(from: si, count: size)
        }
    }
}
