import Foundation
import Kernels

/// Band-limited sample-rate conversion by a Kaiser-windowed sinc, evaluated as a polyphase filter bank:
/// output sample n sits at input position t = n · from / to, and is Σ_m x[m] h(t − m) with h the
/// low-pass filter whose cutoff lies just below the lower of the two Nyquist frequencies.
///
/// The filter passes 0 … 0.9 · Nyquist with ripple ≈ 1e-4 (0.001 dB) and stops everything from the
/// lower Nyquist frequency up by 80 dB (Kaiser β = 7.86), so content a downsampler cannot represent
/// does not alias. For a rate ratio to/from = L/M in lowest terms with L ≤ 2048 the filter is tabulated
/// at exactly the L phases the output needs; for rarer ratios at 2048 phases, interpolated linearly
/// (the time error of ~1e-7 input samples is far below 16-bit resolution). Each phase's taps are
/// normalised to sum to 1, so DC passes exactly. Input beyond either end counts as silence.
/// Design formulas: Kaiser & Schafer 1980; Oppenheim & Schafer, "Discrete-Time Signal Processing",
/// §7.6 (β and length from attenuation and transition width); Smith, "Digital Audio Resampling".
package struct Resampler: Sendable {
    package let inputRate: Int
    package let outputRate: Int
    /// Stop-band attenuation in dB the filter is designed for.
    package static let attenuationDecibels = 80.0
    /// Pass band as a fraction of the lower Nyquist frequency.
    package static let passbandFraction = 0.9

    private let upFactor: Int  // L
    private let downFactor: Int  // M
    private let phases: Int  // P: L, or 2048 with interpolation
    private let halfTaps: Int  // H: taps per phase are 2H
    private let table: [Float]  // [P + 1, 2H]: phase p holds h(p/P + H − 1 − j), j = 0..<2H

    package init(from inputRate: Int, to outputRate: Int) {
        precondition(inputRate > 0 && outputRate > 0, "Resampler: rates \(inputRate) → \(outputRate)")
        self.inputRate = inputRate
        self.outputRate = outputRate
        var a = inputRate, b = outputRate
        while b != 0 { (a, b) = (b, a % b) }
        upFactor = outputRate / a
        downFactor = inputRate / a
        phases = min(upFactor, 2048)

        // In units of input samples: the lower Nyquist frequency, pass-band edge, cutoff.
        let nyquist = 0.5 * Double(min(inputRate, outputRate)) / Double(inputRate)
        let passband = Self.passbandFraction * nyquist
        let cutoff = 0.5 * (passband + nyquist)
        let transition = 2 * Double.pi * (nyquist - passband)
        let attenuation = Self.attenuationDecibels
        let beta = 0.1102 * (attenuation - 8.7)
        let length = (attenuation - 7.95) / (2.285 * transition)
        let half = Int((length / 2).rounded(.up)) + 1
        halfTaps = half

        let taps = 2 * half, besselBeta = Self.besselI0(beta)
        var table = [Float](repeating: 0, count: (phases + 1) * taps)
        for p in 0...phases {
            var row = [Double](repeating: 0, count: taps), sum = 0.0
            for j in 0..<taps {
                let tau = Double(p) / Double(phases) + Double(half - 1 - j)
                let ratio = tau / Double(half)
                guard abs(ratio) < 1 else { continue }
                let x = 2 * cutoff * tau
                let sinc = x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
                row[j] = 2 * cutoff * sinc * Self.besselI0(beta * (1 - ratio * ratio).squareRoot()) / besselBeta
                sum += row[j]
            }
            for j in 0..<taps { table[p * taps + j] = Float(row[j] / sum) }
        }
        self.table = table
    }

    /// How many samples `inputCount` input samples become: ⌈inputCount · to / from⌉.
    package func outputCount(for inputCount: Int) -> Int {
        (inputCount * upFactor + downFactor - 1) / downFactor
    }

    /// `wave` at the output rate (itself when the rates agree).
    package func resample(_ wave: Waveform) -> Waveform {
        precondition(wave.sampleRate == inputRate, "Resampler: a \(wave.sampleRate) Hz wave into a \(inputRate) Hz resampler")
        if inputRate == outputRate { return wave }
        return Waveform(samples: resample(wave.samples), sampleRate: outputRate)
    }

    // x: [n] at inputRate → [outputCount(n)] at outputRate
    package func resample(_ x: [Float]) -> [Float] {
        let count = outputCount(for: x.count), taps = 2 * halfTaps, h = halfTaps
        // Silence on both sides, so every output reads 2H real samples with no branch in the loop.
        var padded = [Float](repeating: 0, count: x.count + 2 * taps)
        padded.replaceSubrange(taps..<taps + x.count, with: x)
        var out = [Float](repeating: 0, count: count)
        let l = upFactor, m = downFactor, p = phases
        padded.withUnsafeBufferPointer { input in
            table.withUnsafeBufferPointer { coefficients in
                out.withUnsafeMutableBufferPointer { o in
                    for n in 0..<count {
                        let position = n * m
                        let whole = position / l, remainder = position % l
                        // Taps j = 0..<2H read x[whole − H + 1 + j], at padded index + taps.
                        let window = UnsafeBufferPointer(rebasing: input[(whole - h + 1 + taps)..<(whole - h + 1 + 2 * taps)])
                        if p == l {
                            o[n] = Reductions.dot(window, UnsafeBufferPointer(rebasing: coefficients[(remainder * taps)..<((remainder + 1) * taps)]))
                        } else {
                            let exact = Double(remainder) * Double(p) / Double(l)
                            let phase = Int(exact), weight = Float(exact - Double(phase))
                            let lower = Reductions.dot(window, UnsafeBufferPointer(rebasing: coefficients[(phase * taps)..<((phase + 1) * taps)]))
                            let upper = Reductions.dot(window, UnsafeBufferPointer(rebasing: coefficients[((phase + 1) * taps)..<((phase + 2) * taps)]))
                            o[n] = lower + weight * (upper - lower)
                        }
                    }
                }
            }
        }
        return out
    }

    /// The modified Bessel function of the first kind, order 0, by its power series (converges for all x;
    /// 40 terms are exact in Double for the x ≤ 10 a Kaiser window uses).
    private static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0
        let quarter = x * x / 4
        for k in 1..<60 {
            term *= quarter / Double(k * k)
            sum += term
            if term < sum * 1e-17 { break }
        }
        return sum
    }
}
