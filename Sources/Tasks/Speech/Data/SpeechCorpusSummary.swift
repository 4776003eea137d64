import Foundation

/// `corpus.json` of a synthetic speech corpus: how it was made (seed, options, espeak-ng version), its
/// size per split, and each speaker's voice — what a reader needs to say which speakers a recogniser was
/// tested on, and to make the same corpus again. It holds no timings, so it is itself reproducible.
package struct SpeechCorpusSummary: Sendable, Codable, Equatable {
    /// The file's format name and version, checked first by anything that reads it back.
    package var format = "murmur-speech-corpus"
    package var version = 1
    package var seed: UInt64
    package var espeak: String
    package var sampleRate: Int
    package var vocabulary: String
    package var vocabularySize: Int
    package var utterancesPerSpeakerMedian: Int
    package var noiseSNRDecibels: Double?
    package var train: SplitSize
    package var validation: SplitSize
    package var speakers: [SpeakerEntry]

    /// The size of one split.
    package struct SplitSize: Sendable, Codable, Equatable {
        package var speakers: Int
        package var utterances: Int
        package var seconds: Double
        package var words: Int
    }

    /// One speaker: name, split, voice and how much they said.
    package struct SpeakerEntry: Sendable, Codable, Equatable {
        package var speaker: String
        package var split: String
        package var accent: String
        package var variant: String
        package var pitch: Int
        package var wordsPerMinute: Int
        package var utterances: Int
        package var seconds: Double
    }

    /// The summary of `plan` once synthesised: `sampleCounts[s][u]` is utterance u of speaker s's length
    /// in samples at the corpus's rate.
    package init(plan: SpeechCorpusPlan, sampleCounts: [[Int]], espeakVersion: String) {
        let rate = SpeakerFolder.sampleRate
        seed = plan.options.seed
        espeak = espeakVersion
        sampleRate = rate
        vocabulary = plan.options.vocabulary.rawValue
        vocabularySize = plan.grammar.vocabulary.count
        utterancesPerSpeakerMedian = plan.options.utterancesPerSpeaker
        noiseSNRDecibels = plan.options.recording.noiseSNRDecibels
        // Seconds to the millisecond, so the file does not carry binary noise digits.
        func seconds(_ samples: Int) -> Double { (Double(samples) / Double(rate) * 1000).rounded() / 1000 }
        speakers = zip(plan.speakers, sampleCounts).map { speaker, counts in
            SpeakerEntry(speaker: speaker.name, split: speaker.split.rawValue, accent: speaker.voice.accent,
                         variant: speaker.voice.variant, pitch: speaker.voice.pitch,
                         wordsPerMinute: speaker.voice.wordsPerMinute, utterances: counts.count,
                         seconds: seconds(counts.reduce(0, +)))
        }
        func size(_ split: SpeechCorpusPlan.Split) -> SplitSize {
            let members = zip(plan.speakers, sampleCounts).filter { $0.0.split == split }
            return SplitSize(speakers: members.count, utterances: members.reduce(0) { $0 + $1.1.count },
                             seconds: seconds(members.reduce(0) { $0 + $1.1.reduce(0, +) }),
                             words: members.reduce(0) { $0 + $1.0.sentences.reduce(0) { $0 + $1.split(separator: " ").count } })
        }
        train = size(.train)
        validation = size(.validation)
    }

    /// The summary as pretty-printed JSON with sorted keys.
    package var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }
}
