import Foundation
import MurmurTestSupport
import Tasks
import Testing

@Suite struct LogMelFeaturesTests {
    static let front = LogMelFeatures()

    @Test func theConfigurationIsTheSpeechFrontEnd() {
        #expect(Self.front.windowLength == 400 && Self.front.hopLength == 160 && Self.front.filterCount == 80)
        #expect(Self.front.fftSize == 512 && Self.front.centreFrequencies.count == 80)
        // HTK mel: 1000 Hz ↔ 999.99 mel, and the scale inverts.
        #expect(abs(LogMelFeatures.mel(1000) - 999.9855) < 1e-3)
        #expect(abs(LogMelFeatures.hertz(LogMelFeatures.mel(3210)) - 3210) < 1e-9)
        // Centres equally spaced in mel, the last below the Nyquist frequency.
        let mels = Self.front.centreFrequencies.map(LogMelFeatures.mel)
        let spacing = LogMelFeatures.mel(8000) / 81
        for (i, m) in mels.enumerated() { #expect(abs(m - Double(i + 1) * spacing) < 1e-9) }
    }

    /// Snip-edges framing: 1 + ⌊(N − 400)/160⌋ whole frames, none for a clip shorter than a window.
    @Test(arguments: [(0, 0), (399, 0), (400, 1), (559, 1), (560, 2), (16_000, 98), (16_001, 98)])
    func frameCountFollowsTheFormula(samples: Int, frames: Int) {
        #expect(Self.front.frameCount(sampleCount: samples) == frames)
        let features = Self.front.features(of: [Float](repeating: 0.01, count: samples))
        #expect(features.frameCount == frames && features.values.count == frames * 80)
    }

    /// A pure tone's energy lands in the filter whose centre is nearest (on the mel scale the filters are
    /// laid out on), for tones at filter centres and a quarter of the way to a neighbour, at filters wide
    /// enough (from filter 30, ~1.8 FFT bins apart) for the Hamming window's main lobe not to blur them.
    @Test(arguments: [(30, 0.0), (40, 0.25), (50, -0.25), (60, 0.0), (70, 0.25), (78, -0.25)])
    func aToneLandsInTheNearestFilter(filter: Int, offset: Double) {
        let spacing = LogMelFeatures.mel(8000) / 81
        let frequency = LogMelFeatures.hertz(Double(filter + 1) * spacing + offset * spacing)
        let tone = (0..<16_000).map { Float(0.3 * sin(2 * Double.pi * frequency * Double($0) / 16_000)) }
        let features = Self.front.features(of: tone)
        var mean = [Double](repeating: 0, count: 80)
        for t in 0..<features.frameCount { for d in 0..<80 { mean[d] += Double(features[t, d]) } }
        let loudest = mean.indices.max { mean[$0] < mean[$1] }!
        let nearest = Self.front.centreFrequencies.indices.min {
            abs(LogMelFeatures.mel(Self.front.centreFrequencies[$0]) - LogMelFeatures.mel(frequency))
                < abs(LogMelFeatures.mel(Self.front.centreFrequencies[$1]) - LogMelFeatures.mel(frequency))
        }!
        #expect(nearest == filter)
        #expect(loudest == filter, "\(frequency) Hz: loudest filter \(loudest), nearest \(nearest)")
    }

    /// Energies scale with the square of the amplitude: doubling a signal adds ln 4 to every feature.
    @Test func logEnergyShiftsByLnFourWhenTheAmplitudeDoubles() {
        var random = TestRandom(seed: 3)
        let noise = (0..<4_000).map { _ in random.uniform() * 0.2 }
        let once = Self.front.features(of: noise), twice = Self.front.features(of: noise.map { $0 * 2 })
        for (a, b) in zip(once.values, twice.values) { #expect(abs(b - a - Float(log(4.0))) < 1e-3) }
    }
}
