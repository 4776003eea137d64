import Foundation
import Tasks
import Testing

@Suite struct ResamplerTests {
    /// A sine of `frequency` Hz and `amplitude`, 0.5 s long.
    static func tone(_ frequency: Double, rate: Int, amplitude: Double = 0.5, seconds: Double = 0.5) -> [Float] {
        (0..<Int(seconds * Double(rate))).map { Float(amplitude * sin(2 * Double.pi * frequency * Double($0) / Double(rate) + 0.3)) }
    }

    /// The least-squares amplitude of a sine of `frequency` in `y[range]` (exact for a pure tone, whatever
    /// the number of cycles: the 2 × 2 normal equations of y ≈ a sin + b cos).
    static func fittedAmplitude(_ y: [Float], frequency: Double, rate: Int, range: Range<Int>) -> Double {
        var ss = 0.0, sc = 0.0, cc = 0.0, ys = 0.0, yc = 0.0
        for n in range {
            let angle = 2 * Double.pi * frequency * Double(n) / Double(rate)
            let s = sin(angle), c = cos(angle), v = Double(y[n])
            ss += s * s; sc += s * c; cc += c * c; ys += v * s; yc += v * c
        }
        let determinant = ss * cc - sc * sc
        let a = (ys * cc - yc * sc) / determinant, b = (yc * ss - ys * sc) / determinant
        return (a * a + b * b).squareRoot()
    }

    /// The interior of a 16 kHz output: 20 ms trimmed from each end, where the filter sees the
    /// silence beyond the input (longer than any filter here, whose half-length is ≤ 3.2 ms).
    static func interior(_ count: Int) -> Range<Int> { 320..<(count - 320) }

    /// A tone in the pass band keeps its amplitude within 0.1 dB, at the rates the issue names, at
    /// 22.05 kHz (espeak-ng) and at a rate whose ratio needs interpolated phases (44 101 Hz: L = 16000).
    @Test(arguments: [(8_000, 440.0), (8_000, 3_000.0), (22_050, 1_000.0), (44_100, 1_000.0), (44_100, 6_500.0),
                      (48_000, 1_000.0), (48_000, 7_000.0), (44_101, 2_000.0), (16_000, 1_000.0)])
    func passBandToneKeepsItsAmplitude(inputRate: Int, frequency: Double) {
        let resampler = Resampler(from: inputRate, to: 16_000)
        let input = Self.tone(frequency, rate: inputRate)
        let output = resampler.resample(input)
        #expect(output.count == resampler.outputCount(for: input.count))
        #expect(abs(output.count - input.count * 16_000 / inputRate) <= 1)
        let amplitude = Self.fittedAmplitude(output, frequency: frequency, rate: 16_000, range: Self.interior(output.count))
        let decibels = 20 * log10(amplitude / 0.5)
        #expect(abs(decibels) <= 0.1, "\(inputRate) Hz, \(frequency) Hz tone: \(decibels) dB")
    }

    /// A tone above the new Nyquist frequency (8 kHz) is attenuated by at least 60 dB: what is left in
    /// the output, whatever frequency it aliased to, has an RMS ≥ 60 dB below the input's.
    @Test(arguments: [(44_100, 8_600.0), (44_100, 12_000.0), (44_100, 20_000.0), (48_000, 9_000.0), (48_000, 23_000.0),
                      (22_050, 10_000.0), (44_101, 11_000.0)])
    func toneAboveTheNewNyquistIsAttenuated(inputRate: Int, frequency: Double) {
        let output = Resampler(from: inputRate, to: 16_000).resample(Self.tone(frequency, rate: inputRate))
        let range = Self.interior(output.count)
        let rms = (range.reduce(0.0) { $0 + Double(output[$1] * output[$1]) } / Double(range.count)).squareRoot()
        let decibels = 20 * log10(rms / (0.5 / 2.0.squareRoot()))
        #expect(decibels <= -60, "\(inputRate) Hz, \(frequency) Hz tone: \(decibels) dB")
    }

    @Test func silenceAndDCPassExactly() {
        let resampler = Resampler(from: 48_000, to: 16_000)
        #expect(resampler.resample([Float](repeating: 0, count: 999)) == [Float](repeating: 0, count: 333))
        let dc = Resampler(from: 8_000, to: 16_000).resample([Float](repeating: 0.25, count: 800))
        // Away from the ends (the 8 kHz filter reaches 51 input samples, 102 outputs, either side).
        for value in dc[110..<1490] { #expect(abs(value - 0.25) < 1e-6) }
    }
}
