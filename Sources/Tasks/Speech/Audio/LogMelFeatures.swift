import Foundation
import Kernels

/// Log mel filterbank energies: the speech model's input, 80 values per 10 ms frame of 16 kHz audio.
///
/// Each frame of 25 ms (400 samples) is Hamming-windowed, zero-padded to a 512-point FFT, and its power
/// spectrum |X_k|² weighted by 80 triangular filters whose corners are equally spaced on the HTK mel
/// scale mel(f) = 2595 log₁₀(1 + f/700) from 0 Hz to the Nyquist frequency; each triangle rises from its
/// left corner to 1 at its centre and falls to its right corner, measured in mel (HTK Book §5.4; Kaldi's
/// `MelBanks`). The output is ln(max(energy, 1e-10)). Frames start every 160 samples and only whole
/// frames are taken (Kaldi's `snip-edges`): a clip of N ≥ 400 samples has 1 + ⌊(N − 400)/160⌋ frames.
/// No dither and no pre-emphasis, so the features are a pure function of the samples.
package struct LogMelFeatures: Sendable {
    package let sampleRate: Int
    package let windowLength: Int
    package let hopLength: Int
    package let filterCount: Int
    package let fftSize: Int
    /// Each filter's centre in Hz.
    package let centreFrequencies: [Double]
    /// The smallest energy taken before the logarithm.
    package static let energyFloor: Float = 1e-10

    private let fft: FloatRealFFT
    private let window: [Float]
    private let filterFirstBin: [Int]  // [filterCount]
    private let filterWeights: [[Float]]  // [filterCount][bins the filter covers, from its first bin]

    /// The speech front end: 16 kHz, 25 ms windows every 10 ms, 80 filters, a 512-point FFT.
    package init(sampleRate: Int = 16_000, windowSeconds: Double = 0.025, hopSeconds: Double = 0.010,
                 filterCount: Int = 80, fftSize: Int = 512) {
        windowLength = Int((windowSeconds * Double(sampleRate)).rounded())
        hopLength = Int((hopSeconds * Double(sampleRate)).rounded())
        precondition(windowLength > 0 && hopLength > 0 && windowLength <= fftSize, "LogMelFeatures: window \(windowLength) for FFT \(fftSize)")
        self.sampleRate = sampleRate
        self.filterCount = filterCount
        self.fftSize = fftSize
        fft = FloatRealFFT(size: fftSize)
        // The symmetric Hamming window (HTK): 0.54 − 0.46 cos(2πn/(L − 1)).
        let length = windowLength
        window = (0..<length).map { Float(0.54 - 0.46 * cos(2 * Double.pi * Double($0) / Double(length - 1))) }

        let highMel = Self.mel(0.5 * Double(sampleRate))
        let corners = (0..<(filterCount + 2)).map { Double($0) * highMel / Double(filterCount + 1) }
        centreFrequencies = (1...filterCount).map { Self.hertz(corners[$0]) }
        var firstBins: [Int] = [], weights: [[Float]] = []
        let bins = fftSize / 2 + 1
        for filter in 0..<filterCount {
            let left = corners[filter], centre = corners[filter + 1], right = corners[filter + 2]
            var first = -1, row: [Float] = []
            for bin in 0..<bins {
                let m = Self.mel(Double(bin) * Double(sampleRate) / Double(fftSize))
                let weight = m <= left || m >= right ? 0 : m <= centre ? (m - left) / (centre - left) : (right - m) / (right - centre)
                if weight > 0 {
                    if first < 0 { first = bin }
                    row += [Float](repeating: 0, count: bin - first - row.count) + [Float(weight)]
                }
            }
            firstBins.append(max(first, 0))
            weights.append(row)
        }
        filterFirstBin = firstBins
        filterWeights = weights
    }

    /// The HTK mel scale.
    package static func mel(_ hertz: Double) -> Double { 2595 * log10(1 + hertz / 700) }
    /// Its inverse.
    package static func hertz(_ mel: Double) -> Double { 700 * (pow(10, mel / 2595) - 1) }

    /// Frames a clip of `sampleCount` samples yields: 1 + ⌊(N − window)/hop⌋, or 0 if shorter than a window.
    package func frameCount(sampleCount: Int) -> Int {
        sampleCount < windowLength ? 0 : 1 + (sampleCount - windowLength) / hopLength
    }

    /// The features of `wave`, not normalised.
    package func features(of wave: Waveform) -> FeatureMatrix {
        precondition(wave.sampleRate == sampleRate, "LogMelFeatures: \(wave.sampleRate) Hz audio for a \(sampleRate) Hz front end (resample first)")
        return features(of: wave.samples)
    }

    // samples: [N] → [frameCount(N), filterCount]
    package func features(of samples: [Float]) -> FeatureMatrix {
        let frames = frameCount(sampleCount: samples.count), bins = fftSize / 2 + 1
        var out = [Float](repeating: 0, count: frames * filterCount)
        var frame = [Float](repeating: 0, count: fftSize)
        var power = [Float](repeating: 0, count: bins), real = power, imaginary = power
        samples.withUnsafeBufferPointer { x in
            window.withUnsafeBufferPointer { w in
                for t in 0..<frames {
                    let start = t * hopLength
                    frame.withUnsafeMutableBufferPointer { f in
                        for n in 0..<windowLength { f[n] = x[start &+ n] * w[n] }
                    }
                    frame.withUnsafeBufferPointer { f in
                        power.withUnsafeMutableBufferPointer { p in
                            real.withUnsafeMutableBufferPointer { re in
                                imaginary.withUnsafeMutableBufferPointer { im in
                                    fft.powerSpectrum(f, into: p, real: re, imaginary: im)
                                }
                            }
                        }
                    }
                    for filter in 0..<filterCount {
                        let first = filterFirstBin[filter]
                        var energy: Float = 0
                        for (j, weight) in filterWeights[filter].enumerated() { energy += weight * power[first + j] }
                        out[t * filterCount + filter] = logf(max(energy, Self.energyFloor))
                    }
                }
            }
        }
        return FeatureMatrix(values: out, frameCount: frames, dimension: filterCount)
    }
}
