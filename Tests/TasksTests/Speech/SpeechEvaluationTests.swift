import Federation
import Learning
import Tasks
import Testing

@Suite struct SpeechEvaluationTests {
    @Test func metricsAreWordErrorRateFirstThenCharacterErrorRate() {
        #expect(SpeechEvaluation.metrics.map(\.name) == ["wordErrorRate", "characterErrorRate", "validationLoss"])
        #expect(SpeechEvaluation.metrics.allSatisfy { $0.lowerIsBetter })
        #expect(SpeechEvaluation.metrics[1].isHeadline)
        // Error rates are fractions (tables show them as percentages); the CTC loss is not.
        #expect(SpeechEvaluation.metrics.map(\.isFraction) == [true, true, false])
        #expect(LanguageModellingTask.metrics.map(\.isFraction) == [false, false, true, true])
        #expect(Set(SpeechEvaluation().values.keys) == Set(SpeechEvaluation.metrics.map(\.name)))
    }

    /// Totals add in any grouping to the same corpus rates; an infeasible utterance counts errors, not loss.
    @Test func totalsAddToCorpusRates() {
        var first = SpeechEvaluation(), second = SpeechEvaluation(), all = SpeechEvaluation()
        let cases: [(String, String, CTCLoss.Result)] = [
            ("turn of the light", "turn on the light", .init(negativeLogLikelihood: 8.5, feasible: true)),
            ("stop", "stop", .init(negativeLogLikelihood: 0.5, feasible: true)),
            ("", "go", .init(negativeLogLikelihood: .infinity, feasible: false)),
        ]
        for (index, (hypothesis, reference, loss)) in cases.enumerated() {
            all.add(hypothesis: hypothesis, reference: reference, loss: loss)
            if index == 0 { first.add(hypothesis: hypothesis, reference: reference, loss: loss) }
            else { second.add(hypothesis: hypothesis, reference: reference, loss: loss) }
        }
        first.add(second)
        #expect(first == all)
        #expect(all.values["wordErrorRate"] == 2.0 / 6)  // one substitution, one deletion over 4 + 1 + 1 words
        #expect(all.values["characterErrorRate"] == 3.0 / 23)  // 1 + 0 + 2 over 17 + 4 + 2 characters
        #expect(all.values["validationLoss"] == 9.0 / 21)
        #expect(all.utterances == 3 && all.infeasibleUtterances == 1)
    }
}
