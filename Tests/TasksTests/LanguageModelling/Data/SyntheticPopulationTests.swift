import Federation
import Tasks
import Testing

/// Synthetic users: a pure function of (seed, index), in range, with heavy-tailed sentence counts.
@Suite struct SyntheticPopulationTests {
    static let language = SyntheticLanguage(vocabularySize: 500, seed: 3)

    @Test func userIsAFunctionOfSeedAndIndex() throws {
        let population = SyntheticPopulation(language: Self.language, users: 1_000_000, seed: 7)
        #expect(try population.user(at: 123_456) == population.user(at: 123_456))
        #expect(try population.user(at: 999_999).name == "u0999999")
        let other = SyntheticPopulation(language: SyntheticLanguage(vocabularySize: 500, seed: 3), users: 10, seed: 8)
        #expect(try population.user(at: 5) != other.user(at: 5))
    }

    @Test func sentencesAreInRangeAndCountsHeavyTailed() throws {
        let population = SyntheticPopulation(language: Self.language, users: 2000, seed: 0)
        var counts: [Int] = []
        for index in 0..<2000 {
            let user = try population.user(at: index)
            counts.append(user.sentences.count)
            for sentence in user.sentences {
                #expect((5...20).contains(sentence.count))
                #expect(sentence.allSatisfy { $0 >= 4 && $0 < 500 })
            }
        }
        counts.sort()
        let median = counts[1000]
        #expect((4...6).contains(median))  // ⌈LogNormal(1.6, 1)⌉ has median ⌈e^1.6⌉ = 5
        #expect(counts.last! == 64)  // the cap is reached: a heavy tail
    }
}
