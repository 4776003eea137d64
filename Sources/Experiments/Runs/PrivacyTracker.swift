import Federation
import Foundation
import Privacy

/// The run's accountant: composes each round's privacy event as the round is released, refuses a
/// round that would take ε past the budget, and keeps the ledger that goes into the checkpoint.
///
/// With a noise cohort it keeps a second, RDP ledger of the run as actually performed (the real
/// cohort with the scaled-down noise), so the summary can state both.
struct PrivacyTracker {
    let configuration: PrivacyConfiguration
    let plan: PrivacyPlan
    private(set) var accountant: any PrivacyAccountant
    private(set) var asRun: RDPAccountant?
    private(set) var epsilon = 0.0
    private var pending: (accountant: any PrivacyAccountant, asRun: RDPAccountant?, epsilon: Double)?

    /// A round the budget does not allow: nothing of it was released.
    struct BudgetExhausted: Error {
        var round: Int
        var epsilon: Double
        var budget: Double
    }

    init(configuration: PrivacyConfiguration, plan: PrivacyPlan) {
        self.configuration = configuration
        self.plan = plan
        accountant = configuration.accountant.make(relation: plan.relation)
        asRun = configuration.noiseCohortSize == nil ? nil : RDPAccountant()
    }

    /// Checks a round's events against the budget and holds the result until `commit`.
    mutating func admit(round: Int, event: DPEvent, asRunEvent: DPEvent?) throws {
        let (candidate, spent) = try afterOneMore(event)
        if let budget = configuration.epsilonBudget, spent > budget * (1 + 1e-9) {
            throw BudgetExhausted(round: round, epsilon: spent, budget: budget)
        }
        var candidateAsRun = asRun
        if let asRunEvent { try candidateAsRun?.compose(asRunEvent, count: 1) }
        pending = (candidate, candidateAsRun, spent)
    }

    /// Makes the admitted round's spending final (the round was released).
    mutating func commit() {
        guard let pending else { return }
        (accountant, asRun, epsilon) = (pending.accountant, pending.asRun, pending.epsilon)
        self.pending = nil
    }

    /// Whether one more round like the last would pass the budget, so that the last round can be
    /// evaluated and checkpointed as the run's end. Skipped (false) while ε is clearly far from the
    /// budget; the admission check before each release is what guarantees the budget either way.
    func nextRoundWouldExceed(like event: DPEvent, previousEpsilon: Double) throws -> Bool {
        guard let budget = configuration.epsilonBudget else { return false }
        if epsilon + 2 * (epsilon - previousEpsilon) < budget { return false }
        return try afterOneMore(event).epsilon > budget * (1 + 1e-9)
    }

    /// The accountant with `event` composed once more, and its ε; the committed state is untouched.
    private func afterOneMore(_ event: DPEvent) throws -> (accountant: any PrivacyAccountant, epsilon: Double) {
        var candidate = accountant
        try candidate.compose(event, count: 1)
        return (candidate, try candidate.epsilon(delta: configuration.delta))
    }

    /// ε of the run as performed, when it differs from the accounted one (noise cohort), by RDP.
    func epsilonAsRun() throws -> Double? {
        try asRun?.epsilon(delta: configuration.delta)
    }

    /// The ledgers as checkpoint metadata (JSON of the folded event lists).
    var checkpointMetadata: [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var metadata = ["privacyLedger": String(decoding: (try? encoder.encode(accountant.ledger)) ?? Data(), as: UTF8.self)]
        if let asRun { metadata["privacyLedgerAsRun"] = String(decoding: (try? encoder.encode(asRun.ledger)) ?? Data(), as: UTF8.self) }
        return metadata
    }

    /// Rebuilds the accountants from a checkpoint's ledgers.
    mutating func restore(from metadata: [String: String]) throws {
        func ledger(_ key: String) throws -> [DPEvent] {
            guard let text = metadata[key] else {
                throw CheckpointError.mismatch("it has no \(key), but this run uses differential privacy")
            }
            return try JSONDecoder().decode([DPEvent].self, from: Data(text.utf8))
        }
        accountant = configuration.accountant.make(relation: plan.relation)
        func unfolded(_ event: DPEvent) -> (DPEvent, Int) {
            if case let .selfComposed(inner, count) = event { return (inner, count) }
            return (event, 1)
        }
        for (event, count) in try ledger("privacyLedger").map(unfolded) { try accountant.compose(event, count: count) }
        if asRun != nil {
            var restored = RDPAccountant()
            for (event, count) in try ledger("privacyLedgerAsRun").map(unfolded) { try restored.compose(event, count: count) }
            asRun = restored
        }
        epsilon = accountant.ledger.isEmpty ? 0 : try accountant.epsilon(delta: configuration.delta)
    }

    /// The summary's privacy section.
    func summary(stoppedAtBudget: Bool) throws -> PrivacySummary {
        let c = configuration
        return PrivacySummary(
            mechanism: c.mechanism.rawValue, accountant: c.accountant.rawValue, relation: plan.relation.rawValue,
            delta: c.delta, epsilon: epsilon, epsilonBudget: c.epsilonBudget, noiseMultiplier: c.noiseMultiplier,
            noiseSource: plan.noiseSource, plannedRounds: plan.plannedRounds, plannedEpsilon: plan.plannedEpsilon,
            clipping: c.mechanism.usesL1 ? "flatL1" : c.clipping.rawValue,
            clipBound: c.clipBound, adaptiveClipping: c.adaptiveClipping != nil, noiseCohortSize: c.noiseCohortSize,
            epsilonAsRun: try epsilonAsRun(), stoppedAtBudget: stoppedAtBudget,
            ledger: accountant.ledger.map(\.summary).joined(separator: "; "))
    }
}

/// `summary.json`'s privacy section: the final ε and exactly how it was computed.
package struct PrivacySummary: Sendable, Equatable, Codable {
    package var mechanism: String
    package var accountant: String
    package var relation: String
    package var delta: Double
    /// ε of the rounds actually released, by `accountant`.
    package var epsilon: Double
    package var epsilonBudget: Double?
    package var noiseMultiplier: Double
    package var noiseSource: String
    package var plannedRounds: Int
    package var plannedEpsilon: Double
    package var clipping: String
    package var clipBound: Double
    package var adaptiveClipping: Bool
    /// With a noise cohort, ε is for that simulated cohort; `epsilonAsRun` (RDP) is for the real one.
    package var noiseCohortSize: Int?
    package var epsilonAsRun: Double?
    package var stoppedAtBudget: Bool
    /// The composed events, e.g. "poisson(q=0.005, gaussian(z=1.32)) × 300".
    package var ledger: String
}
