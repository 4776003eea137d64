import Kernels

/// One synthetic speaker's voice: an espeak-ng English accent, a voice variant (formants, pitch range,
/// breathiness, or the Klatt synthesiser), a base pitch and a speaking rate — fixed for every utterance
/// of the speaker.
///
/// The accents are the `gmw/en*` voices of espeak-ng 1.51 (`espeak-ng --voices=en`; the `mb/` voices
/// need MBROLA, which Debian does not install), the variants the files of `espeak-ng-data/voices/!v`
/// that stay intelligible (the whispering, croaking, robotic and novelty ones are left out).
package struct EspeakVoice: Sendable, Equatable, Hashable {
    /// The language/accent voice, e.g. `en-gb-scotland`.
    package var accent: String
    /// The variant file name, e.g. `f3` or `klatt2`.
    package var variant: String
    /// espeak-ng's `-p`, 0…99 (50 is the voice's own pitch).
    package var pitch: Int
    /// espeak-ng's `-s`, words per minute.
    package var wordsPerMinute: Int

    package init(accent: String, variant: String, pitch: Int, wordsPerMinute: Int) {
        self.accent = accent
        self.variant = variant
        self.pitch = pitch
        self.wordsPerMinute = wordsPerMinute
    }

    /// The English accents.
    package static let accents = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                                  "en-029", "en-us-nyc"]
    /// The voice variants: espeak-ng's numbered male and female voices, the Klatt synthesiser's, and the
    /// named contributed voices that stay clear.
    package static let variants = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5",
                                   "klatt", "klatt2", "klatt3", "Alex", "Andy", "Annie", "aunty", "belinda",
                                   "benjamin", "david", "edward", "linda", "max", "paul", "quincy", "robert",
                                   "steph", "travis"]
    /// The base pitches and rates a speaker is drawn from, uniformly.
    package static let pitchRange = 30...70
    package static let wordsPerMinuteRange = 130...185

    /// The command-line arguments that select this voice: `-v accent+variant -p P -s S`.
    package var arguments: [String] {
        ["-v", "\(accent)+\(variant)", "-p", String(pitch), "-s", String(wordsPerMinute)]
    }

    /// The voices of `trainingCount` training and `heldOutCount` held-out speakers for `seed`.
    ///
    /// Accent × variant pairs are enumerated in a seeded order that cycles through the variants and
    /// shifts the accent each pass, so the first `variants.count` speakers cover every variant and every
    /// accent, and pairs do not repeat until all 240 are used. Held-out speakers take pairs from the far
    /// end of that order and training speakers never use them: a held-out speaker's accent and variant are
    /// each heard in training (once there are ≥ 30 training speakers), but never the two together. Pitch
    /// and rate come from the same ranges for both, drawn per speaker, so a held-out voice is new in
    /// combination and in pitch/rate, not in kind. When more speakers are asked for than there are pairs,
    /// pairs repeat with different pitch and rate.
    package static func assign(trainingCount: Int, heldOutCount: Int, seed: UInt64) -> (training: [EspeakVoice], heldOut: [EspeakVoice]) {
        var order = RandomStream(seed: seed, keys: [0x5EAC, 0])
        let accentOrder = shuffled(accents, using: &order), variantOrder = shuffled(variants, using: &order)
        let pairCount = accents.count * variants.count
        func pair(_ k: Int) -> (String, String) {
            let (pass, position) = k.quotientAndRemainder(dividingBy: variants.count)
            return (accentOrder[(position + pass) % accents.count], variantOrder[position])
        }
        let reserved = min(heldOutCount, pairCount / 4)
        func voice(_ pair: (String, String), speaker: Int) -> EspeakVoice {
            var stream = RandomStream(seed: seed, keys: [0x5EAC, 1, UInt64(speaker)])
            let pitch = pitchRange.lowerBound + stream.uniformInt(below: pitchRange.count)
            let rate = wordsPerMinuteRange.lowerBound + stream.uniformInt(below: wordsPerMinuteRange.count)
            return EspeakVoice(accent: pair.0, variant: pair.1, pitch: pitch, wordsPerMinute: rate)
        }
        let training = (0..<trainingCount).map { i in voice(pair(i % (pairCount - reserved)), speaker: i) }
        let heldOut = (0..<heldOutCount).map { j in
            voice(pair(pairCount - 1 - j % max(reserved, 1)), speaker: trainingCount + j)
        }
        return (training, heldOut)
    }

    // A Fisher–Yates shuffle drawn from `stream`.
    private static func shuffled(_ items: [String], using stream: inout RandomStream) -> [String] {
        var result = items
        for i in stride(from: result.count - 1, to: 0, by: -1) { result.swapAt(i, stream.uniformInt(below: i + 1)) }
        return result
    }
}
