import Foundation
import Tasks
import Testing

/// Speakers' voices: fixed accent × variant × pitch × rate combinations, held-out speakers in pairs no
/// training speaker has but made of accents and variants training has.
@Suite struct EspeakVoiceTests {
    struct Pair: Hashable { var accent: String, variant: String }

    @Test(arguments: [(200, 20, UInt64(0)), (30, 5, 7), (60, 10, 123), (300, 60, 5)])
    func heldOutPairsAreUnseenButTheirPartsAreSeen(training: Int, heldOut: Int, seed: UInt64) {
        let voices = EspeakVoice.assign(trainingCount: training, heldOutCount: heldOut, seed: seed)
        #expect(voices.training.count == training && voices.heldOut.count == heldOut)
        let trainingPairs = Set(voices.training.map { Pair(accent: $0.accent, variant: $0.variant) })
        for voice in voices.heldOut {
            #expect(!trainingPairs.contains(Pair(accent: voice.accent, variant: voice.variant)), "\(voice)")
        }
        // Once there are as many training speakers as variants, every accent and variant is in training.
        #expect(Set(voices.training.map(\.variant)) == Set(EspeakVoice.variants))
        #expect(Set(voices.training.map(\.accent)) == Set(EspeakVoice.accents))
        // Pairs do not repeat while there are unused ones.
        #expect(trainingPairs.count == min(training, EspeakVoice.accents.count * EspeakVoice.variants.count - min(heldOut, 60)))
        for voice in voices.training + voices.heldOut {
            #expect(EspeakVoice.pitchRange.contains(voice.pitch) && EspeakVoice.wordsPerMinuteRange.contains(voice.wordsPerMinute))
        }
        // Pitch and rate really vary.
        #expect(Set(voices.training.map(\.pitch)).count > 10 && Set(voices.training.map(\.wordsPerMinute)).count > 10)
    }

    @Test func voicesAreAFunctionOfTheSeed() {
        let a = EspeakVoice.assign(trainingCount: 40, heldOutCount: 4, seed: 1)
        let b = EspeakVoice.assign(trainingCount: 40, heldOutCount: 4, seed: 1)
        let c = EspeakVoice.assign(trainingCount: 40, heldOutCount: 4, seed: 2)
        #expect(a.training == b.training && a.heldOut == b.heldOut)
        #expect(a.training != c.training)
    }

    @Test func argumentsSelectAccentVariantPitchAndRate() {
        let voice = EspeakVoice(accent: "en-gb-scotland", variant: "f3", pitch: 42, wordsPerMinute: 150)
        #expect(voice.arguments == ["-v", "en-gb-scotland+f3", "-p", "42", "-s", "150"])
    }

    /// Every variant is a file of the installed espeak-ng's voices/!v (where espeak-ng data is installed).
    @Test(.enabled(if: FileManager.default.fileExists(atPath: variantFolder), "no espeak-ng data at \(variantFolder)"))
    func everyVariantIsInstalled() throws {
        let installed = Set(try FileManager.default.contentsOfDirectory(atPath: Self.variantFolder))
        for variant in EspeakVoice.variants { #expect(installed.contains(variant), "\(variant)") }
    }

    static let variantFolder = "/usr/lib/x86_64-linux-gnu/espeak-ng-data/voices/!v"
}
