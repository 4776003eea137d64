import Foundation
import Tasks
import Testing

/// The audio front end on a real recording: espeak-ng's synthesis of a command (a 22 050 Hz, 16-bit
/// mono WAV), read, resampled to 16 kHz and turned into normalised log-mel features. Skipped, with the
/// reason, where espeak-ng is not installed.
@Suite(.enabled(if: Espeak.path != nil, "espeak-ng is not installed (apt-get install -y espeak-ng)"))
struct SynthesizedSpeechTests {

    static func synthesize(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-espeak-\(UUID().uuidString).wav").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Espeak.path!)
        process.arguments = ["-w", path, text]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return path
    }

    @Test func readerResamplerAndFeaturesRunOnSynthesizedSpeech() throws {
        let path = try Self.synthesize("turn on the light")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let wave = try WAVReader.read(path: path)
        #expect(wave.sampleRate == 22_050)
        #expect(wave.seconds > 0.5 && wave.seconds < 3, "\(wave.seconds) s")
        let resampled = Resampler(from: wave.sampleRate, to: 16_000).resample(wave)
        #expect(resampled.sampleRate == 16_000 && abs(resampled.seconds - wave.seconds) < 1e-3)
        let front = LogMelFeatures()
        var features = front.features(of: resampled)
        #expect(features.frameCount == front.frameCount(sampleCount: resampled.samples.count) && features.dimension == 80)
        #expect(features.values.allSatisfy { $0.isFinite })
        // Speech is louder than the silence espeak-ng leaves around it: the loudest frames' mean log
        // energy is well above the quietest frames'.
        let frameEnergy = (0..<features.frameCount).map { t in (0..<80).reduce(0.0) { $0 + Double(features[t, $1]) } / 80 }.sorted()
        let tenth = max(1, frameEnergy.count / 10)
        let quiet = frameEnergy.prefix(tenth).reduce(0, +) / Double(tenth), loud = frameEnergy.suffix(tenth).reduce(0, +) / Double(tenth)
        #expect(loud - quiet > 5, "loud \(loud), quiet \(quiet)")
        features.normalisePerDimension()
        let mean = features.values.reduce(0.0) { $0 + Double($1) } / Double(features.values.count)
        #expect(abs(mean) < 1e-4)
    }
}

/// Where espeak-ng is on the PATH, if anywhere.
enum Espeak {
    static let path: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        .split(separator: ":").map { "\($0)/espeak-ng" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}
