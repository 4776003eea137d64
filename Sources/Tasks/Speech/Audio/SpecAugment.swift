import Kernels

/// SpecAugment's frequency and time masking, a training-time option: bands of mel channels and runs of
/// frames are set to zero (the mean, once features are normalised), so the model cannot rely on any one
/// band or stretch of time (Park et al. 2019, "SpecAugment", §2; time warping is not used).
///
/// Each of `frequencyMasks` masks draws a width f uniformly in 0…F and a first channel uniformly in
/// 0…(D − f); each of `timeMasks` masks a width t uniformly in 0…min(T, ⌊p · frames⌋) and a first frame
/// in 0…(frames − t). The defaults are the companion's: 2 frequency masks with F = 30, 10 time masks with
/// p = 0.1 and T = 50 (the adaptive masking of Park et al. 2020, "SpecAugment on large scale datasets").
/// The masks are drawn from a `RandomStream`, so the same seed and keys mask the same cells on any thread.
package struct SpecAugment: Sendable, Equatable, Codable {
    package var frequencyMasks: Int
    package var maximumFrequencyWidth: Int
    package var timeMasks: Int
    package var maximumTimeFraction: Double
    package var maximumTimeWidth: Int

    package init(frequencyMasks: Int = 2, maximumFrequencyWidth: Int = 30, timeMasks: Int = 10,
                 maximumTimeFraction: Double = 0.1, maximumTimeWidth: Int = 50) {
        precondition(frequencyMasks >= 0 && maximumFrequencyWidth >= 0 && timeMasks >= 0 && maximumTimeWidth >= 0,
                     "SpecAugment: negative mask counts or widths")
        precondition((0...1).contains(maximumTimeFraction), "SpecAugment: time fraction \(maximumTimeFraction) outside 0…1")
        self.frequencyMasks = frequencyMasks
        self.maximumFrequencyWidth = maximumFrequencyWidth
        self.timeMasks = timeMasks
        self.maximumTimeFraction = maximumTimeFraction
        self.maximumTimeWidth = maximumTimeWidth
    }

    /// One mask: `count` channels (or frames) from `start`.
    package struct Mask: Sendable, Equatable {
        package var start: Int
        package var count: Int
    }

    /// The masks for a `frames` × `dimension` matrix drawn from `stream`: frequency masks first, then time.
    package func drawMasks(frames: Int, dimension: Int, stream: inout RandomStream) -> (frequency: [Mask], time: [Mask]) {
        func draw(maximum: Int, extent: Int) -> Mask {
            let width = stream.uniformInt(below: min(maximum, extent) + 1)
            return Mask(start: stream.uniformInt(below: extent - width + 1), count: width)
        }
        let frequency = (0..<frequencyMasks).map { _ in draw(maximum: maximumFrequencyWidth, extent: dimension) }
        let timeLimit = min(maximumTimeWidth, Int(maximumTimeFraction * Double(frames)))
        let time = (0..<timeMasks).map { _ in draw(maximum: timeLimit, extent: frames) }
        return (frequency, time)
    }

    /// Masks `features` in place with masks drawn from `stream`.
    package func apply(to features: inout FeatureMatrix, stream: inout RandomStream) {
        let (frequency, time) = drawMasks(frames: features.frameCount, dimension: features.dimension, stream: &stream)
        let columns = features.dimension, rows = features.frameCount
        features.values.withUnsafeMutableBufferPointer { v in
            for mask in frequency {
                for r in 0..<rows { for d in mask.start..<(mask.start + mask.count) { v[r &* columns &+ d] = 0 } }
            }
            for mask in time {
                for r in mask.start..<(mask.start + mask.count) { for d in 0..<columns { v[r &* columns &+ d] = 0 } }
            }
        }
    }

    /// Masks `features` with the stream keyed by `seed` and `keys` (e.g. round, client, utterance).
    package func apply(to features: inout FeatureMatrix, seed: UInt64, keys: [UInt64]) {
        var stream = RandomStream(seed: seed, keys: keys)
        apply(to: &features, stream: &stream)
    }
}
