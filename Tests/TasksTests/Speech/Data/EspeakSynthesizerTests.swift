import Foundation
import Tasks
import Testing

/// Running espeak-ng: deterministic for the same arguments, every accent and variant of the catalogue
/// accepted, a batch cut back into its sentences, and a one-line error where it is missing.
@Suite(.enabled(if: Espeak.path != nil, "espeak-ng is not installed (apt-get install -y espeak-ng)"))
struct EspeakSynthesizerTests {
    static func scratch() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("murmur-espeak-\(UUID().uuidString).wav").path
    }

    @Test func theSameArgumentsGiveTheSameAudio() throws {
        let espeak = try EspeakSynthesizer(), path = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let voice = EspeakVoice(accent: "en-gb-x-rp", variant: "klatt2", pitch: 35, wordsPerMinute: 140)
        let first = try espeak.speak("set a timer for twenty five minutes", voice: voice, to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let second = try espeak.speak("set a timer for twenty five minutes", voice: voice, to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes && first == second)
        #expect(first.sampleRate == 22_050 && first.seconds > 1 && first.seconds < 4)
        var faster = voice
        faster.wordsPerMinute = 185
        #expect(try espeak.speak("set a timer for twenty five minutes", voice: faster, to: path).seconds < first.seconds)
    }

    /// A batch is cut into exactly its sentences, each about as long as when spoken alone.
    @Test(arguments: [130, 185])
    func aBatchIsCutBackIntoItsSentences(wordsPerMinute: Int) throws {
        let espeak = try EspeakSynthesizer(), path = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let sentences = ["yes", "remind me to take out the trash at eleven forty five", "call anna", "what's the weather in london tonight",
                         "i'll be late", "divided by"]
        let voice = EspeakVoice(accent: "en-us", variant: "f2", pitch: 50, wordsPerMinute: wordsPerMinute)
        let pieces = try #require(try espeak.speakBatch(sentences, voice: voice, to: path))
        #expect(pieces.count == sentences.count)
        for (sentence, piece) in zip(sentences, pieces) {
            let alone = try espeak.speak(sentence, voice: voice, to: path)
            let sounding = { (wave: Waveform) in
                Double((wave.samples.lastIndex { abs($0) >= 1e-3 } ?? 0) - (wave.samples.firstIndex { abs($0) >= 1e-3 } ?? 0)) / 22_050
            }
            #expect(abs(sounding(piece) - sounding(alone)) < 0.25 * sounding(alone) + 0.1, "\(sentence): \(sounding(piece)) vs \(sounding(alone)) s")
        }
    }

    /// Every accent (in one variant) and every variant (in one accent) speaks, and its batches cut at the
    /// breaks — at the slowest rate and highest pitch, where pauses inside a sentence are longest.
    @Test func everyAccentAndVariantSpeaks() throws {
        let espeak = try EspeakSynthesizer(), path = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let accents = EspeakVoice.accents.map { EspeakVoice(accent: $0, variant: "m3", pitch: 70, wordsPerMinute: 130) }
        let variants = EspeakVoice.variants.map { EspeakVoice(accent: "en-us", variant: $0, pitch: 70, wordsPerMinute: 130) }
        var distinct = Set<[Float]>()
        for voice in accents + variants {
            let pieces = try #require(try espeak.speakBatch(["turn on the light", "good night"], voice: voice, to: path),
                                      "\(voice.arguments): the batch did not cut into its two sentences")
            #expect(pieces.count == 2 && pieces.allSatisfy { $0.seconds > 0.3 }, "\(voice.arguments)")
            distinct.insert(pieces[0].samples)
        }
        // Each accent and variant sounds different from every other.
        #expect(distinct.count == accents.count + variants.count - 1)  // en-us+m3 is in both lists
    }

    @Test func aMissingEspeakIsOneActionableLine() {
        #expect(throws: SpeechCorpusError.espeakMissing) { try EspeakSynthesizer(environment: ["PATH": "/nonexistent"]) }
        #expect(SpeechCorpusError.espeakMissing.description == "espeak-ng is not installed; install it with: apt-get install espeak-ng")
    }
}
