import Federation
import Foundation

extension Scenario {
    /// Reads `privacy.audit` (docs/privacy.md, "Empirical audit"): the canaries (`canaries`, or a
    /// `fraction` of the users), their `repetitions` and `words`, exposure's `candidates`, the guesses
    /// `guessIncluded` / `guessExcluded`, `confidence` and `seed`; `delta` only for a run without DP (a DP
    /// run's bound is stated at its own δ). Nil when the section has no `audit`.
    ///
    /// - Parameters:
    ///   - privacyDelta: the run's δ, when it has differential privacy.
    ///   - maxWords: the longest canary the task's rows hold whole (nil: the task takes no canaries).
    static func readAudit(_ privacy: ScenarioReader, population: Int, seed: UInt64, privacyDelta: Double?,
                          maxWords: Int?) throws(ScenarioError) -> CanaryAuditConfiguration? {
        privacy.declare(["audit"])
        guard privacy.contains("audit") else { return nil }
        let r = try privacy.section("audit")
        guard let maxWords else {
            throw privacy.error("audit", "canaries are built for languageModelling only (speech would need synthesised "
                + "random-word utterances); remove privacy.audit")
        }
        guard population >= 2 else { throw privacy.error("audit", "needs at least 2 training users") }
        if r.contains("canaries") && r.contains("fraction") {
            throw r.error("fraction", "give either canaries or fraction (of the \(population) users), not both")
        }
        let canaries: Int
        if r.contains("fraction") {
            let fraction = try r.number("fraction", default: 0, in: 0...1, excludingLowerBound: true)
            canaries = Int((fraction * Double(population)).rounded())
            guard canaries >= 2 else {
                throw r.error("fraction", "\(fraction) of \(population) users is \(canaries) canaries; the audit needs at least 2")
            }
        } else {
            guard r.contains("canaries") else {
                throw r.error("canaries", "required: how many users get a canary (2…\(population)), or give a fraction of them")
            }
            canaries = try r.integer("canaries", default: 2, in: 2...population)
        }
        if privacyDelta != nil && r.contains("delta") {
            throw r.error("delta", "a run with differential privacy is audited at its own δ (privacy.delta); remove it")
        }
        var delta = 0.0
        if let privacyDelta { delta = privacyDelta } else { delta = try r.number("delta", default: 1e-5, in: 0...1, excludingLowerBound: true) }
        if delta >= 1 { throw r.error("delta", "must be below 1, got \(delta)") }
        var c = CanaryAuditConfiguration(canaries: canaries, delta: delta,
                                         seed: UInt64(try r.integer("seed", default: Int(seed), in: 0...Int(Int32.max))))
        c.repetitions = try r.integer("repetitions", default: 1, in: 1...1000)
        c.words = try r.integer("words", default: min(8, maxWords), in: 1...maxWords)
        c.candidates = try r.integer("candidates", default: 1000, in: 1...1_000_000)
        c.guessIncluded = try r.integer("guessIncluded", default: max(canaries / 4, 1), in: 0...canaries)
        c.guessExcluded = try r.integer("guessExcluded", default: max(canaries / 4, 1), in: 0...(canaries - c.guessIncluded))
        guard c.guessIncluded + c.guessExcluded >= 1 else { throw r.error("guessIncluded", "the audit needs at least one guess") }
        c.confidence = try r.number("confidence", default: 0.95, in: 0...1, excludingLowerBound: true)
        if c.confidence >= 1 { throw r.error("confidence", "must be below 1 (a bound at certainty is 0), got \(c.confidence)") }
        try r.finish()
        return c
    }
}
