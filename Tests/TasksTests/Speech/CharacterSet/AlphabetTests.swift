import Tasks
import Testing

@Suite struct AlphabetTests {
    @Test func englishHasTwentyNineCharactersAfterTheBlank() throws {
        let alphabet = Alphabet.english
        #expect(alphabet.characters.count == 29 && alphabet.classCount == 30 && alphabet.blank == 0)
        #expect(try alphabet.encode("az '-") == [1, 26, 27, 28, 29])
    }

    @Test func textIsNormalisedThenRoundTrips() throws {
        #expect(Alphabet.normalise("  Turn ON\tthe\n  light’s  —  on ") == "turn on the light's - on")
        let alphabet = Alphabet.english
        let classes = try alphabet.encode("Don’t stop-start")
        #expect(alphabet.decode(classes) == "don't stop-start")
        #expect(alphabet.decode([0, 8, 0, 9, 40]) == "hi")
    }

    @Test func unknownCharactersAreNamedWithTheirOffset() {
        #expect(throws: Alphabet.UnknownCharacter(character: "7", offset: 5)) { try Alphabet.english.encode("Room 7") }
        #expect(throws: Alphabet.UnknownCharacter(character: "é", offset: 3)) { try Alphabet.english.encode("caf\u{e9}") }
        #expect(throws: Alphabet.UnknownCharacter(character: ",", offset: 3)) { try Alphabet.english.encode("yes, no") }
    }
}
