import Foundation
import Tasks
import Testing

/// A tiny corpus really synthesised with espeak-ng: it reads back through `SpeakerFolder`, its splits are
/// disjoint, its summary adds up, and it is byte-identical for one seed on one or two threads. Skipped,
/// with the reason, where espeak-ng is not installed.
@Suite(.enabled(if: Espeak.path != nil, "espeak-ng is not installed (apt-get install -y espeak-ng)"))
struct SpeechCorpusSynthesizerTests {
    static let options = SpeechCorpusPlan.Options(trainingSpeakers: 2, heldOutSpeakers: 1, seed: 42, utterancesPerSpeaker: 3)

    static func temporaryFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("murmur-synth-asr-test-\(UUID().uuidString)").path
    }

    /// Every file of `folder` (relative path → bytes).
    static func files(_ folder: String) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: folder)! {
            var isDirectory: ObjCBool = false
            let full = folder + "/" + path
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[path] = try Data(contentsOf: URL(fileURLWithPath: full))
            }
        }
        return result
    }

    @Test func aTinyCorpusReadsBackThroughTheSpeakerFolder() throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = SpeechCorpusPlan(Self.options)
        let summary = try SpeechCorpusSynthesizer(plan: plan, espeak: EspeakSynthesizer()).write(to: out, threads: 2)

        let train = try SpeakerFolder(path: out + "/train"), validation = try SpeakerFolder(path: out + "/validation")
        #expect(train.userCount == 2 && validation.userCount == 1)
        var names: [String: String] = [:], seconds = 0.0
        for (folder, split) in [(train, "train"), (validation, "validation")] {
            for index in 0..<folder.userCount {
                let speaker = try folder.user(at: index)
                #expect(names[speaker.name] == nil, "\(speaker.name) is in both splits")
                names[speaker.name] = split
                let planned = plan.speakers.first { $0.name == speaker.name }!
                #expect(speaker.utterances.map(\.text) == planned.sentences)
                for utterance in speaker.utterances {
                    #expect(utterance.waveform.sampleRate == 16_000)
                    #expect(Alphabet.english.decode(utterance.labels) == utterance.text)
                    // Plausible speech: 0.15–1.2 s a word at 130–185 words a minute, plus 0.1–0.7 s of pauses.
                    let words = Double(utterance.text.split(separator: " ").count)
                    #expect(utterance.waveform.seconds > 0.15 * words + 0.1 && utterance.waveform.seconds < 1.2 * words + 0.8,
                            "\(utterance.waveform.seconds) s for \"\(utterance.text)\"")
                    seconds += utterance.waveform.seconds
                }
            }
        }
        #expect(names.values.filter { $0 == "train" }.count == 2)
        #expect(summary.train.speakers == 2 && summary.validation.speakers == 1)
        #expect(summary.train.utterances + summary.validation.utterances == plan.speakers.reduce(0) { $0 + $1.sentences.count })
        #expect(abs(summary.train.seconds + summary.validation.seconds - seconds) < 0.01)
        #expect(summary.speakers.map(\.speaker) == plan.speakers.map(\.name))

        // corpus.json decodes to the summary; vocabulary.txt is the grammar's vocabulary.
        let decoded = try JSONDecoder().decode(SpeechCorpusSummary.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/corpus.json")))
        #expect(decoded == summary && decoded.format == "murmur-speech-corpus" && decoded.version == 1)
        #expect(decoded.espeak.hasPrefix("eSpeak NG"), "\(decoded.espeak)")
        let vocabulary = try String(contentsOfFile: out + "/vocabulary.txt", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(vocabulary == plan.grammar.vocabulary && vocabulary.count >= 200)
    }

    @Test func oneSeedGivesByteIdenticalFilesOnOneAndTwoThreads() throws {
        let one = Self.temporaryFolder(), two = Self.temporaryFolder(), other = Self.temporaryFolder()
        defer { for path in [one, two, other] { try? FileManager.default.removeItem(atPath: path) } }
        let espeak = try EspeakSynthesizer()
        try SpeechCorpusSynthesizer(plan: SpeechCorpusPlan(Self.options), espeak: espeak).write(to: one, threads: 1)
        try SpeechCorpusSynthesizer(plan: SpeechCorpusPlan(Self.options), espeak: espeak).write(to: two, threads: 2)
        var otherOptions = Self.options
        otherOptions.seed = 43
        try SpeechCorpusSynthesizer(plan: SpeechCorpusPlan(otherOptions), espeak: espeak).write(to: other, threads: 2)
        let a = try Self.files(one), b = try Self.files(two)
        #expect(a.keys.contains("train/speakers.jsonl") && a.keys.contains("validation/speakers.jsonl"))
        #expect(a.keys.filter { $0.hasSuffix(".wav") }.count == SpeechCorpusPlan(Self.options).speakers.reduce(0) { $0 + $1.sentences.count })
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, bytes) in a { #expect(b[path] == bytes, "\(path) differs between 1 and 2 threads") }
        #expect(try Self.files(other)["train/speakers.jsonl"] != a["train/speakers.jsonl"])
    }

    @Test func aNonEmptyFolderIsRefusedUnlessForced() throws {
        let out = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try FileManager.default.createDirectory(atPath: out + "/train/old", withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        let synthesizer = SpeechCorpusSynthesizer(plan: SpeechCorpusPlan(.init(trainingSpeakers: 1, heldOutSpeakers: 0, seed: 1,
                                                                              utterancesPerSpeaker: 1)),
                                                  espeak: try EspeakSynthesizer())
        #expect(throws: SpeechCorpusError.outputNotEmpty(path: out)) { try synthesizer.write(to: out, threads: 1) }
        #expect(SpeechCorpusError.outputNotEmpty(path: out).description
            == "\(out) exists and is not empty; choose another --out or pass --force to replace the corpus in it")
        try synthesizer.write(to: out, force: true, threads: 1)
        // The old corpus files are gone, the rest of the folder kept.
        #expect(!FileManager.default.fileExists(atPath: out + "/train/old"))
        #expect(FileManager.default.fileExists(atPath: out + "/notes.txt") && FileManager.default.fileExists(atPath: out + "/corpus.json"))
        #expect(try SpeakerFolder(path: out + "/train").userCount == 1)
    }
}
