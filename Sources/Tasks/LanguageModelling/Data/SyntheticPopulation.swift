import Federation
import Kernels

/// Users of a `SyntheticLanguage` generated from their index on demand: a scenario can name 10⁶ users
/// with no file, and user i is the same whichever round, thread or machine asks for it.
///
/// User i's data comes from the stream keyed by (`seed`, i), so two populations of one language with
/// different seeds (training and validation) share the language but not the users.
package struct SyntheticPopulation: Population {
    package let language: SyntheticLanguage
    package let userCount: Int
    package let seed: UInt64
    /// The cap on sentences generated per user (the peer's data uses 64).
    package let maxSentences: Int

    package init(language: SyntheticLanguage, users: Int, seed: UInt64, maxSentences: Int = 64) {
        precondition(users >= 1 && maxSentences >= 1, "SyntheticPopulation: users and maxSentences ≥ 1")
        self.language = language
        userCount = users
        self.seed = seed
        self.maxSentences = maxSentences
    }

    package var vocabularySize: Int { language.vocabularySize }
    package var origin: String { "synthetic (\(userCount) users, vocabulary \(language.vocabularySize), seed \(seed))" }

    package func user(at index: Int) throws(DataError) -> TextUser {
        precondition(index >= 0 && index < userCount, "user index \(index) out of 0..<\(userCount)")
        var stream = RandomStream(seed: seed, keys: [0x05E5, UInt64(index)])
        let digits = String(index)
        let name = "u" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
        return TextUser(name: name, sentences: language.generateSentences(using: &stream, maxSentences: maxSentences))
    }
}
