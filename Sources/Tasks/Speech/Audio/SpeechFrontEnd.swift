import Kernels

/// What turns an utterance's 16 kHz audio into the acoustic model's input: 80 log-mel features per
/// 10 ms, normalised per utterance, and in training optionally masked by SpecAugment with a stream keyed
/// by the caller (e.g. seed, round, client, utterance), so the same keys give the same masks on any thread.
package struct SpeechFrontEnd: Sendable {
    package var features: LogMelFeatures
    /// Masks applied in training; nil: none.
    package var augment: SpecAugment?

    package init(features: LogMelFeatures = LogMelFeatures(), augment: SpecAugment? = nil) {
        self.features = features
        self.augment = augment
    }

    /// Normalised features of `wave`, for evaluation (never masked).
    package func evaluationFeatures(of wave: Waveform) -> FeatureMatrix {
        var matrix = features.features(of: wave)
        matrix.normalisePerDimension()
        return matrix
    }

    /// Normalised features of `wave`, masked after normalisation (masks set cells to the mean, 0) when
    /// `augment` is set, with the stream of `seed` and `keys`.
    package func trainingFeatures(of wave: Waveform, seed: UInt64, keys: [UInt64]) -> FeatureMatrix {
        var matrix = evaluationFeatures(of: wave)
        augment?.apply(to: &matrix, seed: seed, keys: keys)
        return matrix
    }
}
