/// The characters a speech model writes: a–z, space, apostrophe and hyphen (29), with the CTC blank as
/// class 0 before them, so the output layer has 30 classes and character i of the alphabet is class i + 1.
///
/// Transcripts are normalised before they are encoded: lower case, typographic apostrophes (’ ‘) and
/// dashes (‐ – —) folded to ' and -, runs of whitespace to one space, none at either end. Anything
/// else (digits, punctuation, accented letters) is refused with the character named, since spelling
/// "7" as "seven" is the data's job, not the model's (the LibriSpeech convention).
package struct Alphabet: Sendable, Equatable {
    /// The characters, in class order from 1.
    package let characters: [Character]
    /// The CTC blank's class.
    package let blank: Int32 = 0
    private let classOf: [Character: Int32]

    /// The speech task's 29 characters.
    package static let english = Alphabet(characters: Array("abcdefghijklmnopqrstuvwxyz '-"))

    package init(characters: [Character]) {
        precondition(Set(characters).count == characters.count, "Alphabet: repeated characters")
        self.characters = characters
        classOf = Dictionary(uniqueKeysWithValues: characters.enumerated().map { ($1, Int32($0 + 1)) })
    }

    /// Outputs of a CTC head over this alphabet: its characters and the blank.
    package var classCount: Int { characters.count + 1 }

    /// A character the alphabet does not have, and where in the normalised text it is (0-based).
    package struct UnknownCharacter: Error, Equatable {
        package var character: Character
        package var offset: Int

        package init(character: Character, offset: Int) {
            self.character = character
            self.offset = offset
        }
    }

    /// `text` lower-cased, with apostrophes, dashes and whitespace folded.
    package static func normalise(_ text: String) -> String {
        var result = "", pendingSpace = false
        for character in text.lowercased() {
            if character.isWhitespace {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace { result.append(" "); pendingSpace = false }
            switch character {
            case "\u{2019}", "\u{2018}": result.append("'")
            case "\u{2010}", "\u{2013}", "\u{2014}": result.append("-")
            default: result.append(character)
            }
        }
        return result
    }

    /// The classes of `text`'s characters after normalisation.
    package func encode(_ text: String) throws(UnknownCharacter) -> [Int32] {
        var classes: [Int32] = []
        for (offset, character) in Self.normalise(text).enumerated() {
            guard let index = classOf[character] else { throw UnknownCharacter(character: character, offset: offset) }
            classes.append(index)
        }
        return classes
    }

    /// The text of `classes` (the blank, or anything out of range, is skipped).
    package func decode(_ classes: [Int32]) -> String {
        String(classes.compactMap { $0 >= 1 && Int($0) <= characters.count ? characters[Int($0) - 1] : nil })
    }
}
