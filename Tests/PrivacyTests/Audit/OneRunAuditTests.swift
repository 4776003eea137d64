import Foundation
import Privacy
import Testing

/// The one-run ε lower bound (Steinke, Nasr, Jagielski 2023, Corollary 5.4 and Appendix D) against
/// values worked by hand and against Appendix D's `get_eps_audit` evaluated once with exact binomial
/// coefficients (the figures below).
@Suite struct OneRunAuditTests {
    @Test func pValueWithoutDeltaIsTheBinomialTail() {
        // q = e^ε/(1+e^ε) = 3/4 at ε = ln 3; ten right out of ten: 0.75¹⁰.
        let p = OneRunAudit.pValue(canaries: 10, guesses: 10, correct: 10, epsilon: log(3), delta: 0)
        #expect(abs(p - 0.056313514709472656) < 1e-14)
        // At ε = 0 every guess is a fair coin: P[Binomial(4, ½) ≥ 3] = 5/16.
        #expect(abs(OneRunAudit.pValue(canaries: 8, guesses: 4, correct: 3, epsilon: 0, delta: 0) - 5.0 / 16) < 1e-14)
    }

    @Test func pValueAddsTheDeltaTerm() {
        // r = v = 2, ε = 0: β = ¼; α = max(P[B=1]/1, (P[B=1]+P[B=0])/2) = max(½, ⅜) = ½; + 2·m·δ·α.
        let p = OneRunAudit.pValue(canaries: 100, guesses: 2, correct: 2, epsilon: 0, delta: 1e-3)
        #expect(abs(p - (0.25 + 0.5 * 1e-3 * 200)) < 1e-14)
        #expect(OneRunAudit.pValue(canaries: 100, guesses: 2, correct: 2, epsilon: 0, delta: 0.5) == 1)
    }

    @Test func boundOfAllCorrectGuessesSolvesTheTail() {
        // With δ = 0 and v = r = 10 the bound is ε with q¹⁰ = 0.05: ln(q/(1−q)) for q = 0.05^0.1.
        let bound = OneRunAudit.epsilonLowerBound(canaries: 10, guesses: 10, correct: 10, delta: 0, significance: 0.05)
        #expect(abs(bound - 1.051873233231709) < 1e-8)
        // It is the conservative side of the bisection: still rejected.
        #expect(OneRunAudit.pValue(canaries: 10, guesses: 10, correct: 10, epsilon: bound, delta: 0) < 0.05)
    }

    @Test(arguments: [(1000, 100, 90, 1.626143479719758), (200, 100, 98, 2.720754722133279)])
    func boundMatchesAppendixD(m: Int, r: Int, v: Int, expected: Double) {
        let bound = OneRunAudit.epsilonLowerBound(canaries: m, guesses: r, correct: v, delta: 1e-5, significance: 0.05)
        #expect(abs(bound - expected) < 1e-9, "\(bound)")
    }

    @Test func chanceAccuracyGivesNoBound() {
        #expect(OneRunAudit.epsilonLowerBound(canaries: 100, guesses: 50, correct: 25, delta: 1e-5, significance: 0.05) == 0)
        #expect(OneRunAudit.epsilonLowerBound(canaries: 100, guesses: 50, correct: 0, delta: 1e-5, significance: 0.05) == 0)
        // More right guesses, a higher bound.
        let bounds = [30, 35, 40, 45, 50].map {
            OneRunAudit.epsilonLowerBound(canaries: 100, guesses: 50, correct: $0, delta: 1e-5, significance: 0.05)
        }
        #expect(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 }, "\(bounds)")
    }

    @Test func guessesTakeTheTopAndBottomScores() {
        // Scores 5 4 3 2 1 0 for canaries 0…5; included 0, 2, 5.
        let scores: [Double] = [5, 4, 3, 2, 1, 0]
        let included = [true, false, true, false, false, true]
        // "included" for 0, 1 (one right), "excluded" for 4, 5 (one right).
        #expect(OneRunAudit.guesses(scores: scores, included: included, guessIncluded: 2, guessExcluded: 2)
            == OneRunAudit.Guesses(count: 4, correct: 2))
        #expect(OneRunAudit.guesses(scores: scores, included: included, guessIncluded: 1, guessExcluded: 0)
            == OneRunAudit.Guesses(count: 1, correct: 1))
        // Ties go by index: canary 0 before canary 1.
        #expect(OneRunAudit.guesses(scores: [1, 1], included: [false, true], guessIncluded: 1, guessExcluded: 0).correct == 0)
    }
}
