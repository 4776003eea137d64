import Learning
import Testing

@Suite struct ErrorRateTests {
    @Test func wordErrorRateCountsSubstitutionsInsertionsAndDeletions() {
        #expect(ErrorRate.words(hypothesis: "turn on the light", reference: "turn on the light") == ErrorRate(errors: 0, referenceLength: 4))
        #expect(ErrorRate.words(hypothesis: "turn of the light", reference: "turn on the light").rate == 0.25)
        #expect(ErrorRate.words(hypothesis: "turn on the light now", reference: "turn on the light").rate == 0.25)
        #expect(ErrorRate.words(hypothesis: "turn light", reference: "turn on the light").rate == 0.5)
        #expect(ErrorRate.words(hypothesis: "a b c d e", reference: "x").rate == 5)
        #expect(ErrorRate.words(hypothesis: "  turn   on ", reference: "turn on").errors == 0)
    }

    @Test func characterErrorRateCountsSpaces() {
        #expect(ErrorRate.characters(hypothesis: "turn of", reference: "turn on") == ErrorRate(errors: 1, referenceLength: 7))
        #expect(ErrorRate.characters(hypothesis: "turnon", reference: "turn on") == ErrorRate(errors: 1, referenceLength: 7))
    }

    /// A corpus rate is total errors over total reference length, not the mean of utterance rates.
    @Test func corpusRateWeightsUtterancesByLength() {
        var total = ErrorRate()
        total.add(.words(hypothesis: "a", reference: "b"))  // 1 / 1
        total.add(.words(hypothesis: "one two three", reference: "one two three"))  // 0 / 3
        #expect(total == ErrorRate(errors: 1, referenceLength: 4))
        #expect(total.rate == 0.25)
        #expect(ErrorRate().rate == 0)
        #expect(ErrorRate.words(hypothesis: "x", reference: "").rate == .infinity)
    }
}
