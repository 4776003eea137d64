import Foundation
import Kernels
import Tasks
import Testing

/// What happens to an utterance between espeak-ng and the file: trimmed, levelled, padded, noise at the
/// asked signal-to-noise ratio.
@Suite struct RecordingConditionsTests {
    /// A 0.5 s, 440 Hz tone at 16 kHz, amplitude 0.8, between 0.2 s of digital silence on each side.
    static let speech: [Float] = [Float](repeating: 0, count: 3200)
        + (0..<8000).map { Float(0.8 * sin(2 * Double.pi * 440 * Double($0) / 16_000)) } + [Float](repeating: 0, count: 3200)

    @Test func withoutNoiseTheSpeechIsTrimmedLevelledAndPaddedWithSilence() {
        let conditions = RecordingConditions(noiseSNRDecibels: nil)
        for key in 0..<20 as Range<UInt64> {
            var stream = RandomStream(seed: 1, keys: [key])
            let out = conditions.apply(to: Self.speech, sampleRate: 16_000, using: &stream)
            let first = out.firstIndex { $0 != 0 }!, last = out.lastIndex { $0 != 0 }!
            // The pauses are the drawn ones (0.05–0.35 s), not espeak-ng's 0.2 s, give or take the 10 ms margin.
            #expect((0.04...0.36).contains(Double(first) / 16_000) && (0.04...0.36).contains(Double(out.count - 1 - last) / 16_000))
            #expect(abs(Double(last - first + 1) - 8000) <= 2)
            let peak = Double(out.map(abs).max()!)
            #expect((-14.01 ... -1.99).contains(20 * log10(peak)), "peak \(peak)")
        }
    }

    @Test(arguments: [10.0, 20.0, 30.0])
    func noiseHasTheAskedSignalToNoiseRatio(snr: Double) {
        var stream = RandomStream(seed: 2, keys: [0])
        let out = RecordingConditions(noiseSNRDecibels: nil).apply(to: Self.speech, sampleRate: 16_000, using: &stream)
        var noisyStream = RandomStream(seed: 2, keys: [0])
        let noisy = RecordingConditions(noiseSNRDecibels: snr).apply(to: Self.speech, sampleRate: 16_000, using: &noisyStream)
        // Same draws for level and pauses, so the difference is the noise alone.
        #expect(noisy.count == out.count)
        let first = out.firstIndex { $0 != 0 }!, last = out.lastIndex { $0 != 0 }!
        // The ratio is against the power over the kept speech, which includes 10 ms of silence on each side.
        let speechPower = out[first...last].reduce(0.0) { $0 + Double($1) * Double($1) } / Double(last - first + 1 + 2 * 160)
        let noise = zip(noisy, out).map { Double($0 - $1) }
        let noisePower = noise.reduce(0.0) { $0 + $1 * $1 } / Double(noise.count)
        let mean = noise.reduce(0, +) / Double(noise.count)
        // ≥ 11 000 Gaussian samples: the power's relative error is ≈ √(2/n) ≈ 1.3 %, ≈ 0.06 dB.
        #expect(abs(10 * log10(speechPower / noisePower) - snr) < 0.25, "\(10 * log10(speechPower / noisePower)) dB")
        #expect(abs(mean) < 4 * (noisePower / Double(noise.count)).squareRoot())
        // Gaussian: the fourth moment is 3σ⁴ (kurtosis 3), within sampling error.
        let kurtosis = noise.reduce(0.0) { $0 + $1 * $1 * $1 * $1 } / Double(noise.count) / (noisePower * noisePower)
        #expect(abs(kurtosis - 3) < 0.2, "kurtosis \(kurtosis)")
    }

    @Test func recordingsAreAFunctionOfTheStream() {
        let conditions = RecordingConditions(noiseSNRDecibels: 25)
        var a = RandomStream(seed: 4, keys: [1]), b = RandomStream(seed: 4, keys: [1]), c = RandomStream(seed: 4, keys: [2])
        let first = conditions.apply(to: Self.speech, sampleRate: 16_000, using: &a)
        #expect(first == conditions.apply(to: Self.speech, sampleRate: 16_000, using: &b))
        #expect(first != conditions.apply(to: Self.speech, sampleRate: 16_000, using: &c))
    }
}
