import Foundation
import MurmurTestSupport
import Tasks
import Testing

@Suite struct SpeechFrontEndTests {
    static let wave: Waveform = {
        var random = TestRandom(seed: 21)
        return Waveform(samples: (0..<16_000).map { n in 0.1 * random.uniform() + Float(0.3 * sin(Double(n) * 0.2)) },
                        sampleRate: 16_000)
    }()

    /// Evaluation features are the normalised log-mels; training features with no augmentation equal
    /// them, and with SpecAugment differ only in masked (zeroed) cells, the same for the same keys.
    @Test func trainingMasksOnlyWhenAugmentingAndDeterministically() {
        let plain = SpeechFrontEnd()
        var expected = LogMelFeatures().features(of: Self.wave)
        expected.normalisePerDimension()
        #expect(plain.evaluationFeatures(of: Self.wave) == expected)
        #expect(plain.trainingFeatures(of: Self.wave, seed: 1, keys: [2]) == expected)
        let augmented = SpeechFrontEnd(augment: SpecAugment())
        let masked = augmented.trainingFeatures(of: Self.wave, seed: 1, keys: [2])
        #expect(masked == augmented.trainingFeatures(of: Self.wave, seed: 1, keys: [2]))
        #expect(masked != expected)
        for (a, b) in zip(masked.values, expected.values) { #expect(a == b || a == 0) }
    }
}
