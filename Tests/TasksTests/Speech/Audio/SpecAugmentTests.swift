import Kernels
import Tasks
import Testing

@Suite struct SpecAugmentTests {
    static func ramp(frames: Int) -> FeatureMatrix {
        FeatureMatrix(values: (0..<(frames * 80)).map { Float($0 % 977) + 1 }, frameCount: frames, dimension: 80)
    }

    @Test func defaultsAreTheCompanions() {
        let augment = SpecAugment()
        #expect(augment.frequencyMasks == 2 && augment.maximumFrequencyWidth == 30)
        #expect(augment.timeMasks == 10 && augment.maximumTimeFraction == 0.1 && augment.maximumTimeWidth == 50)
    }

    /// Masks stay in range and within their widths (F = 30; t ≤ min(T, p·frames)), over many draws.
    @Test(arguments: [5, 37, 200, 1_000])
    func masksRespectTheirLimits(frames: Int) {
        let augment = SpecAugment()
        var widestTime = 0, widestFrequency = 0
        for key in 0..<200 {
            var stream = RandomStream(seed: 9, keys: [UInt64(key)])
            let (frequency, time) = augment.drawMasks(frames: frames, dimension: 80, stream: &stream)
            #expect(frequency.count == 2 && time.count == 10)
            for mask in frequency { #expect(mask.count <= 30 && mask.start >= 0 && mask.start + mask.count <= 80) }
            for mask in time {
                #expect(mask.count <= min(50, frames / 10) && mask.start >= 0 && mask.start + mask.count <= frames)
            }
            widestTime = max(widestTime, time.map(\.count).max()!)
            widestFrequency = max(widestFrequency, frequency.map(\.count).max()!)
        }
        // The whole range is reached: widths are uniform on 0…limit, 2000 draws.
        #expect(widestFrequency == 30)
        #expect(widestTime == min(50, frames / 10))
    }

    /// Exactly the drawn cells become zero and every other cell is untouched; the same keys mask the
    /// same cells, other keys others.
    @Test func applyZeroesExactlyTheMaskedCellsDeterministically() {
        let augment = SpecAugment(), original = Self.ramp(frames: 300)
        var masked = original
        augment.apply(to: &masked, seed: 4, keys: [1, 2, 3])
        var stream = RandomStream(seed: 4, keys: [1, 2, 3])
        let (frequency, time) = augment.drawMasks(frames: 300, dimension: 80, stream: &stream)
        for t in 0..<300 {
            for d in 0..<80 {
                let inMask = frequency.contains { (($0.start)..<($0.start + $0.count)).contains(d) }
                    || time.contains { (($0.start)..<($0.start + $0.count)).contains(t) }
                #expect(masked[t, d] == (inMask ? 0 : original[t, d]))
            }
        }
        var again = original, other = original
        augment.apply(to: &again, seed: 4, keys: [1, 2, 3])
        augment.apply(to: &other, seed: 4, keys: [1, 2, 4])
        #expect(again == masked)
        #expect(other != masked)
    }

    @Test func noMasksLeaveTheFeaturesAlone() {
        let original = Self.ramp(frames: 50)
        var features = original
        SpecAugment(frequencyMasks: 0, timeMasks: 0).apply(to: &features, seed: 1, keys: [])
        #expect(features == original)
    }
}
