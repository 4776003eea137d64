import Foundation
import Kernels

/// Who says what in a synthetic speech corpus, decided before any audio is made: the speakers of each
/// split with their voices, and each speaker's sentences — a pure function of the options, so the same
/// seed gives the same corpus on any number of threads.
///
/// Utterances per speaker are heavy-tailed, a discretised log-normal (median `utterancesPerSpeaker`,
/// σ = 0.8 in log space, so the mean is ≈ 1.38 × the median and the top percent of speakers have ≈ 6×
/// the median), at least `minimumUtterances`, as real speech corpora (and the FL4ASR paper's
/// LibriSpeech/Common Voice clients) have a few talkative speakers and many with little data.
package struct SpeechCorpusPlan: Sendable {
    /// What to make.
    package struct Options: Sendable, Equatable {
        package var trainingSpeakers: Int
        package var heldOutSpeakers: Int
        package var seed: UInt64
        /// The median number of utterances a speaker records.
        package var utterancesPerSpeaker: Int
        package var vocabulary: SentenceGrammar.Size
        package var recording: RecordingConditions

        package init(trainingSpeakers: Int, heldOutSpeakers: Int, seed: UInt64, utterancesPerSpeaker: Int = 12,
                     vocabulary: SentenceGrammar.Size = .small, noiseSNRDecibels: Double? = 30) {
            self.trainingSpeakers = trainingSpeakers
            self.heldOutSpeakers = heldOutSpeakers
            self.seed = seed
            self.utterancesPerSpeaker = utterancesPerSpeaker
            self.vocabulary = vocabulary
            recording = RecordingConditions(noiseSNRDecibels: noiseSNRDecibels)
        }
    }

    /// The two halves of the corpus, each its own speaker folder.
    package enum Split: String, Sendable, CaseIterable {
        case train, validation
    }

    /// One speaker of the plan.
    package struct PlannedSpeaker: Sendable {
        /// The name in `speakers.jsonl` and the folder of the WAVs: s0001… (train), h0001… (held out).
        package var name: String
        package var split: Split
        /// The index the speaker's random streams are keyed by (training first, then held out).
        package var streamIndex: Int
        package var voice: EspeakVoice
        package var sentences: [String]
    }

    /// The log-normal's σ for utterances per speaker.
    package static let utteranceSpread = 0.8
    package static let minimumUtterances = 3

    package let options: Options
    package let grammar: SentenceGrammar
    package let speakers: [PlannedSpeaker]

    package init(_ options: Options) {
        precondition(options.trainingSpeakers >= 1 && options.heldOutSpeakers >= 0 && options.utterancesPerSpeaker >= 1,
                     "SpeechCorpusPlan: at least one training speaker and one utterance")
        self.options = options
        grammar = SentenceGrammar(size: options.vocabulary)
        let voices = EspeakVoice.assign(trainingCount: options.trainingSpeakers, heldOutCount: options.heldOutSpeakers,
                                        seed: options.seed)
        let width = max(4, String(max(options.trainingSpeakers, options.heldOutSpeakers)).count)
        func name(_ prefix: String, _ number: Int) -> String {
            let digits = String(number)
            return prefix + String(repeating: "0", count: width - digits.count) + digits
        }
        let grammar = self.grammar
        func speaker(_ split: Split, number: Int, streamIndex: Int, voice: EspeakVoice) -> PlannedSpeaker {
            var counts = RandomStream(seed: options.seed, keys: [0xA5D0, UInt64(streamIndex), 0])
            let median = Double(options.utterancesPerSpeaker)
            let drawn = (median * exp(Self.utteranceSpread * counts.normal())).rounded()
            let count = Int(min(max(drawn, Double(Self.minimumUtterances)), 20 * median))
            var text = RandomStream(seed: options.seed, keys: [0xA5D0, UInt64(streamIndex), 1])
            let sentences = (0..<count).map { _ in grammar.sentence(using: &text) }
            return PlannedSpeaker(name: name(split == .train ? "s" : "h", number), split: split, streamIndex: streamIndex,
                                  voice: voice, sentences: sentences)
        }
        speakers = voices.training.enumerated().map { speaker(.train, number: $0 + 1, streamIndex: $0, voice: $1) }
            + voices.heldOut.enumerated().map {
                speaker(.validation, number: $0 + 1, streamIndex: options.trainingSpeakers + $0, voice: $1)
            }
    }

    /// The WAV path of a speaker's utterance, relative to its split's folder: `s0001/0001.wav`.
    package static func audioPath(speaker: String, utterance: Int) -> String {
        let digits = String(utterance + 1)
        return speaker + "/" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits + ".wav"
    }

    /// The stream an utterance's recording conditions are drawn from.
    package func recordingStream(speaker: PlannedSpeaker, utterance: Int) -> RandomStream {
        RandomStream(seed: options.seed, keys: [0xA5D0, UInt64(speaker.streamIndex), 2, UInt64(utterance)])
    }
}
