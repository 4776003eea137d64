import Foundation
import Tasks
import Testing

/// The audio front end on a real recording: espeak-ng's synthesis of a command (a 22 050 Hz, 16-bit
/// mono WAV), read, resampled to 16 kHz and turned into normalised log-mel features. Skipped, with the
/// reason, where espeak-ng is not installed.
@Suite(.enabled(if: Espeak.path != nil, "espeak-ng is not installed (apt-get install -y espeak-ng)"))
struct SynthesizedSpeechTests {

    /// espeak-ng's rendering of `text` in `voice`, written to `path` (a fresh temporary file by default).
    @discardableResult
    static func synthesize(_ text: String, voice: String = "en-us", path: String? = nil) throws -> String {
        let path = path ?? FileManager.default.temporaryDirectory.appendingPathComponent("murmur-espeak-\(UUID().uuidString).wav").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Espeak.path!)
        process.arguments = ["-v", voice, "-w", path, text]
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

extension SynthesizedSpeechTests {
    /// A speakers.jsonl folder of two synthetic speakers (two espeak-ng voices) loads lazily through the
    /// population: transcripts encoded, 22 050 Hz audio at 16 kHz, features of every utterance finite.
    @Test func aFolderOfSynthesizedSpeakersLoads() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-espeak-folder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let speakers = [("s01", "en-us", ["turn on the light", "stop the music"]), ("s02", "en-us+f3", ["what's the time"])]
        var lines: [String] = []
        for (name, voice, texts) in speakers {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(name), withIntermediateDirectories: true)
            var utterances: [String] = []
            for (index, text) in texts.enumerated() {
                let audio = "\(name)/\(String(format: "%04d", index + 1)).wav"
                try Self.synthesize(text, voice: voice, path: folder.appendingPathComponent(audio).path)
                utterances.append("{\"audio\": \"\(audio)\", \"text\": \"\(text)\"}")
            }
            lines.append("{\"speaker\": \"\(name)\", \"utterances\": [\(utterances.joined(separator: ", "))]}")
        }
        try Data(lines.joined(separator: "\n").utf8).write(to: folder.appendingPathComponent("speakers.jsonl"))
        let population = try SpeakerFolder(path: folder.path)
        #expect(population.userCount == 2)
        let front = SpeechFrontEnd()
        for (index, (name, _, texts)) in speakers.enumerated() {
            let speaker = try population.user(at: index)
            #expect(speaker.name == name && speaker.utterances.map(\.text) == texts)
            for utterance in speaker.utterances {
                #expect(utterance.waveform.sampleRate == 16_000)
                #expect(Alphabet.english.decode(utterance.labels) == utterance.text)
                let features = front.evaluationFeatures(of: utterance.waveform)
                // Enough 10 ms frames for CTC over the characters after a 3× subsampling.
                #expect(features.frameCount / 3 > utterance.labels.count)
                #expect(features.values.allSatisfy { $0.isFinite })
            }
        }
        let totals = try population.validateAll()
        #expect(totals.speakers == 2 && totals.utterances == 3 && totals.seconds > 1)
    }
}

/// Where espeak-ng is on the PATH, if anywhere.
enum Espeak {
    static let path: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        .split(separator: ":").map { "\($0)/espeak-ng" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}
