import Kernels
import Tasks
import Testing

/// The synthetic corpus's sentences: enough words, every one speakable in the alphabet, 1–10 words, and
/// varied enough that whole sentences rarely repeat.
@Suite struct SentenceGrammarTests {
    @Test(arguments: [(SentenceGrammar.Size.small, 200), (.full, 400)])
    func vocabularyIsLargeAndInTheAlphabet(size: SentenceGrammar.Size, atLeast: Int) throws {
        let vocabulary = SentenceGrammar(size: size).vocabulary
        #expect(vocabulary.count >= atLeast, "\(vocabulary.count) words")
        #expect(Set(vocabulary).count == vocabulary.count && vocabulary == vocabulary.sorted())
        for word in vocabulary {
            #expect(!word.isEmpty && !word.contains(" "))
            _ = try Alphabet.english.encode(word)
            #expect(Alphabet.normalise(word) == word, "\(word) is not normalised")
        }
    }

    @Test func theSmallVocabularyIsPartOfTheFull() {
        #expect(Set(SentenceGrammar(size: .small).vocabulary).isSubset(of: Set(SentenceGrammar(size: .full).vocabulary)))
    }

    /// The share of distinct sentences in 3000 draws is ≈ 0.83 (small) and 0.89 (full) by the birthday
    /// count over each template's combinations; the repeats are the one-slot templates and fixed phrases.
    @Test(arguments: [(SentenceGrammar.Size.small, 0.8), (.full, 0.86)])
    func sentencesHaveOneToTenWordsOfTheVocabularyAndRarelyRepeat(size: SentenceGrammar.Size, distinctShare: Double) throws {
        let grammar = SentenceGrammar(size: size)
        let vocabulary = Set(grammar.vocabulary)
        var stream = RandomStream(seed: 3, keys: [1])
        let sentences = (0..<3000).map { _ in grammar.sentence(using: &stream) }
        var lengths = Set<Int>(), used = Set<String>()
        for sentence in sentences {
            let words = sentence.split(separator: " ").map(String.init)
            #expect((1...10).contains(words.count), "\(sentence)")
            #expect(words.allSatisfy(vocabulary.contains), "\(sentence)")
            #expect(try Alphabet.english.decode(Alphabet.english.encode(sentence)) == sentence)
            lengths.insert(words.count)
            used.formUnion(words)
        }
        // Lengths span the range, most of the vocabulary is exercised, and few sentences repeat whole.
        #expect(lengths.contains(1) && lengths.contains(10) && lengths.count >= 9, "\(lengths.sorted())")
        #expect(Double(used.count) >= 0.9 * Double(vocabulary.count), "\(used.count) of \(vocabulary.count) words used")
        #expect(Double(Set(sentences).count) >= distinctShare * Double(sentences.count), "\(Set(sentences).count) distinct")
    }

    @Test func sentencesAreAFunctionOfTheStream() {
        let grammar = SentenceGrammar(size: .small)
        var a = RandomStream(seed: 9, keys: [2]), b = RandomStream(seed: 9, keys: [2]), c = RandomStream(seed: 10, keys: [2])
        let first = (0..<50).map { _ in grammar.sentence(using: &a) }
        #expect(first == (0..<50).map { _ in grammar.sentence(using: &b) })
        #expect(first != (0..<50).map { _ in grammar.sentence(using: &c) })
    }

    @Test func numbersAreSpelledOut() {
        let words = SentenceGrammar.numberWords(1...99)
        #expect(words.count == 99)
        #expect(words[0] == "one" && words[9] == "ten" && words[12] == "thirteen" && words[19] == "twenty")
        #expect(words[24] == "twenty five" && words[39] == "forty" && words[98] == "ninety nine")
        #expect(Set(words).count == 99)
    }
}
