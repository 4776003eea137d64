/// What `privacy.audit` asks for (docs/privacy.md, "Empirical audit"): how many canaries, how often each
/// is repeated in its user's data, how many candidates exposure ranks among, the guesses and confidence
/// of the one-run bound, and the audit's own seed.
package struct CanaryAuditConfiguration: Sendable, Equatable, Codable {
    /// m: canaries, each given to its own randomly chosen user and included there with probability ½.
    package var canaries: Int
    /// Words in a canary (the unit of the task's randomness space: a sentence's words).
    package var words = 8
    /// Copies of its canary an including user holds (the paper's "repeated r times").
    package var repetitions = 1
    /// Random candidates from the canaries' space that exposure ranks each canary among.
    package var candidates = 1000
    /// k₊ and k₋: canaries guessed included (best scored) and excluded (worst scored).
    package var guessIncluded: Int
    package var guessExcluded: Int
    /// 1 − β of the ε lower bound.
    package var confidence = 0.95
    /// The δ the bound is stated at: the run's own δ, or the audit's for a run without DP.
    package var delta: Double
    /// Keys the host users, the coins, the canaries and the candidates (never the training streams).
    package var seed: UInt64

    package init(canaries: Int, delta: Double, seed: UInt64) {
        self.canaries = canaries
        self.delta = delta
        self.seed = seed
        guessIncluded = max(canaries / 4, 1)
        guessExcluded = max(canaries / 4, 1)
    }
}
