import Foundation

/// A complex fast Fourier transform of one power-of-two size in single precision, in place on split
/// real and imaginary buffers: iterative radix-2 Cooley–Tukey with a twiddle table and a bit-reversal
/// permutation (Cooley & Tukey 1965; the loop order of Numerical Recipes §12.2).
///
/// The speech front end takes one 512-point transform per 10 ms frame, where single precision is
/// plenty (log-mel features keep ~1e-6 relative round-off); the accountant's `FFTPlan` stays `Double`.
/// Twiddles are computed in `Double` and rounded once, so the error grows as ε_float · log₂ N.
package struct FloatFFT: Sendable {
    package let size: Int
    private let cosines: [Float]
    private let sines: [Float]
    private let bitReversed: [Int32]

    /// - Parameter size: a power of two, at least 1.
    package init(size: Int) {
        precondition(size > 0 && size & (size - 1) == 0, "FloatFFT: size \(size) is not a power of two")
        self.size = size
        let half = max(size / 2, 1)
        cosines = (0..<half).map { Float(cos(2 * Double.pi * Double($0) / Double(size))) }
        sines = (0..<half).map { Float(sin(2 * Double.pi * Double($0) / Double(size))) }
        let bits = size.trailingZeroBitCount
        bitReversed = (0..<size).map { index in
            var reversed = 0
            for bit in 0..<bits where index & (1 << bit) != 0 { reversed |= 1 << (bits - 1 - bit) }
            return Int32(reversed)
        }
    }

    /// In place: X_k = Σ_n x_n e^(−2πi kn/N).
    package func forward(real: UnsafeMutableBufferPointer<Float>, imaginary: UnsafeMutableBufferPointer<Float>) {
        transform(real: real, imaginary: imaginary, sign: -1)
    }

    /// In place: x_n = (1/N) Σ_k X_k e^(2πi kn/N).
    package func inverse(real: UnsafeMutableBufferPointer<Float>, imaginary: UnsafeMutableBufferPointer<Float>) {
        transform(real: real, imaginary: imaginary, sign: 1)
        let scale = 1 / Float(size)
        for index in 0..<size {
            real[index] *= scale
            imaginary[index] *= scale
        }
    }

    // re, im: [size], in place
    private func transform(real re: UnsafeMutableBufferPointer<Float>, imaginary im: UnsafeMutableBufferPointer<Float>,
                           sign: Float) {
        precondition(re.count >= size && im.count >= size, "FloatFFT: buffers shorter than the plan's size \(size)")
        let n = size
        bitReversed.withUnsafeBufferPointer { reversed in
            for index in 0..<n {
                let other = Int(reversed[index])
                if other > index { re.swapAt(index, other); im.swapAt(index, other) }
            }
        }
        cosines.withUnsafeBufferPointer { cosine in
            sines.withUnsafeBufferPointer { sine in
                var length = 2
                while length <= n {
                    let half = length / 2, stride = n / length
                    var start = 0
                    while start < n {
                        for k in 0..<half {
                            let wr = cosine[k &* stride], wi = sign * sine[k &* stride]
                            let a = start &+ k, b = a &+ half
                            let tr = re[b] * wr - im[b] * wi
                            let ti = re[b] * wi + im[b] * wr
                            re[b] = re[a] - tr; im[b] = im[a] - ti
                            re[a] += tr; im[a] += ti
                        }
                        start &+= length
                    }
                    length &*= 2
                }
            }
        }
    }
}

/// The FFT of a real signal of power-of-two length N, as its N/2 + 1 non-redundant bins, computed by one
/// complex FFT of length N/2 on the even/odd samples packed as z_m = x_{2m} + i x_{2m+1} and a split
/// step X_k = E_k + e^(−2πik/N) O_k (Numerical Recipes §12.3, "FFT of real functions").
///
/// It needs no scratch beyond its output: z is packed into the output, transformed and unpacked in place,
/// pair (k, N/2 − k) at a time, so a feature extractor calls it once per frame without allocating.
package struct FloatRealFFT: Sendable {
    package let size: Int
    /// Bins produced: N/2 + 1 (DC … Nyquist).
    package var binCount: Int { size / 2 + 1 }
    private let half: FloatFFT
    private let splitCosines: [Float]
    private let splitSines: [Float]

    /// - Parameter size: a power of two, at least 1.
    package init(size: Int) {
        precondition(size > 0 && size & (size - 1) == 0, "FloatRealFFT: size \(size) is not a power of two")
        self.size = size
        half = FloatFFT(size: max(size / 2, 1))
        let count = size / 4 + 1
        splitCosines = (0..<count).map { Float(cos(2 * Double.pi * Double($0) / Double(size))) }
        splitSines = (0..<count).map { Float(sin(2 * Double.pi * Double($0) / Double(size))) }
    }

    // x: [size] → real, imaginary: [size/2 + 1] (X_k for k = 0 … N/2)
    package func forward(_ x: UnsafeBufferPointer<Float>, real re: UnsafeMutableBufferPointer<Float>,
                         imaginary im: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == size, "FloatRealFFT: input of \(x.count) for size \(size)")
        precondition(re.count >= binCount && im.count >= binCount, "FloatRealFFT: outputs need \(binCount) bins")
        if size == 1 {
            re[0] = x[0]; im[0] = 0
            return
        }
        let h = size / 2
        for m in 0..<h {
            re[m] = x[2 &* m]
            im[m] = x[2 &* m &+ 1]
        }
        half.forward(real: UnsafeMutableBufferPointer(rebasing: re[0..<h]),
                     imaginary: UnsafeMutableBufferPointer(rebasing: im[0..<h]))
        // k = 0 and k = N/2: both real.
        let z0r = re[0], z0i = im[0]
        re[0] = z0r + z0i; im[0] = 0
        re[h] = z0r - z0i; im[h] = 0
        var k = 1
        while k <= h - k {
            let j = h - k
            let ar = re[k], ai = im[k], br = re[j], bi = im[j]
            // E = (a + b̄)/2, O = (a − b̄)/(2i), with b̄ = (br, −bi).
            let er = 0.5 * (ar + br), ei = 0.5 * (ai - bi)
            let or = 0.5 * (ai + bi), oi = -0.5 * (ar - br)
            // W = e^(−2πik/N) = (c, −s); WO.
            let c = splitCosines[k], s = splitSines[k]
            let wr = c * or + s * oi, wi = c * oi - s * or
            // X_k = E + WO, X_{N/2−k} = conj(E − WO).
            re[k] = er + wr; im[k] = ei + wi
            if j != k {
                re[j] = er - wr; im[j] = wi - ei
            }
            k &+= 1
        }
    }

    // x: [size] → power: [size/2 + 1], |X_k|²; real, imaginary: [size/2 + 1] scratch
    package func powerSpectrum(_ x: UnsafeBufferPointer<Float>, into power: UnsafeMutableBufferPointer<Float>,
                               real: UnsafeMutableBufferPointer<Float>, imaginary: UnsafeMutableBufferPointer<Float>) {
        precondition(power.count >= binCount, "FloatRealFFT: power needs \(binCount) bins")
        forward(x, real: real, imaginary: imaginary)
        for k in 0..<binCount { power[k] = real[k] * real[k] + imaginary[k] * imaginary[k] }
    }
}
