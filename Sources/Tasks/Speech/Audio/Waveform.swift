/// Mono audio samples in [−1, 1] at one sample rate: what the WAV reader yields and the resampler and
/// the feature extractor take.
package struct Waveform: Sendable, Equatable {
    package var samples: [Float]
    package var sampleRate: Int

    package init(samples: [Float], sampleRate: Int) {
        precondition(sampleRate > 0, "Waveform: sample rate \(sampleRate)")
        self.samples = samples
        self.sampleRate = sampleRate
    }

    /// The duration in seconds.
    package var seconds: Double { Double(samples.count) / Double(sampleRate) }
}
