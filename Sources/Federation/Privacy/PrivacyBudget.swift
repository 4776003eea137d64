import Foundation
import Privacy

/// The run's accountant: composes each round's privacy event as the round is released, refuses a
/// round that would take ε past the budget before anything of it is released, and keeps the ledger
/// that goes into the checkpoint (STYLE.md habit 7; dp_accounting's `PrivacyAccountant`).
///
/// With a noise cohort it keeps a second, RDP ledger of the run as actually performed (the real
/// cohort with the scaled-down noise), so the summary can state both.
package struct PrivacyBudget: Sendable {
    package let configuration: PrivacyConfiguration
    package let relation: NeighbouringRelation
    package private(set) var accountant: any PrivacyAccountant & Sendable
    package private(set) var asRun: RDPAccountant?
    /// ε of the rounds released so far, by `configuration.accountant`.
    package private(set) var epsilon = 0.0
    /// ε of the rounds released so far as they actually ran: `epsilon` itself, except under a noise
    /// cohort, where it is the RDP ε of the real cohort with the scaled-down noise (far larger).
    package private(set) var epsilonAsRun = 0.0
    /// ε before the last released round (what `nextRoundWouldExceed` extrapolates from).
    private var previousEpsilon = 0.0
    private var pending: (accountant: any PrivacyAccountant & Sendable, asRun: RDPAccountant?, epsilon: Double, epsilonAsRun: Double)?

    package init(configuration: PrivacyConfiguration, relation: NeighbouringRelation) {
        self.configuration = configuration
        self.relation = relation
        accountant = Self.freshAccountant(configuration, relation)
        asRun = configuration.noiseCohortSize == nil ? nil : RDPAccountant()
    }

    private static func freshAccountant(_ c: PrivacyConfiguration, _ relation: NeighbouringRelation)
        -> any PrivacyAccountant & Sendable {
        switch c.accountant {
        case .rdp: RDPAccountant()
        case .pld: PLDAccountant(relation: relation)
        }
    }

    /// Checks a round's events against the budget and holds the result until `commit`; throws, leaving
    /// everything as it was, if the round would pass the budget.
    ///
    /// Under a participation cap or DP-FTRL the round's event is composed `configuration.composedCount(round:)`
    /// times (zero when the round cannot add to what one user has spent).
    package mutating func admit(round: Int, event: DPEvent, asRunEvent: DPEvent?) throws {
        let (candidate, spent) = try afterOneMore(event, count: configuration.composedCount(round: round))
        if let budget = configuration.epsilonBudget, spent > budget * (1 + 1e-9) {
            throw PrivacyBudgetExhausted(round: round, epsilon: spent, budget: budget)
        }
        var candidateAsRun = asRun
        if let asRunEvent { try candidateAsRun?.compose(asRunEvent, count: 1) }
        pending = (candidate, candidateAsRun, spent, try candidateAsRun?.epsilon(delta: configuration.delta) ?? spent)
    }

    /// Makes the admitted round's spending final (the round was released).
    package mutating func commit() {
        guard let pending else { return }
        previousEpsilon = epsilon
        (accountant, asRun, epsilon, epsilonAsRun) = (pending.accountant, pending.asRun, pending.epsilon, pending.epsilonAsRun)
        self.pending = nil

    }

    /// Whether one more round like `event` would pass the budget, so that the last released round can
    /// be evaluated and checkpointed as the run's end. Skipped (false) while ε is clearly far from the
    /// budget; the admission check before each release is what guarantees the budget either way.
    /// `round` is the next round's number (its composed count under a cap or DP-FTRL; nil: once).
    package func nextRoundWouldExceed(like event: DPEvent, round: Int? = nil) throws -> Bool {
        guard let budget = configuration.epsilonBudget else { return false }
        let count = round.map { configuration.composedCount(round: $0) } ?? 1
        if count == 0 { return false }
        if configuration.mechanism == .dpftrl, let round {
            // The next round's event differs from this one's: it adds the growth of the sensitivity.
            return try afterOneMore(configuration.dpftrlEvent(round: round, noiseMultiplier: configuration.noiseMultiplier),
                                    count: 1).epsilon > budget * (1 + 1e-9)
        }
        if epsilon + 2 * (epsilon - previousEpsilon) < budget { return false }
        return try afterOneMore(event, count: count).epsilon > budget * (1 + 1e-9)
    }

    /// The accountant with `event` composed `count` more times, and its ε; the committed state is untouched.
    private func afterOneMore(_ event: DPEvent, count: Int = 1) throws -> (accountant: any PrivacyAccountant & Sendable, epsilon: Double) {
        var candidate = accountant
        guard count > 0 else { return (candidate, epsilon) }
        try candidate.compose(event, count: count)
        return (candidate, try candidate.epsilon(delta: configuration.delta))
    }

    /// ε of the run as performed when it differs from the accounted one (a noise cohort), by RDP; nil otherwise.
    package var epsilonAsRunIfDifferent: Double? { asRun == nil ? nil : epsilonAsRun }

    /// The ledgers, for the checkpoint.
    package var ledgers: PrivacyLedgers { PrivacyLedgers(accounted: accountant.ledger, asRun: asRun?.ledger) }

    /// Rebuilds the accountants from a checkpoint's ledgers.
    package mutating func restore(_ ledgers: PrivacyLedgers) throws {
        func unfolded(_ event: DPEvent) -> (DPEvent, Int) {
            if case let .selfComposed(inner, count) = event { return (inner, count) }
            return (event, 1)
        }
        accountant = Self.freshAccountant(configuration, relation)
        for (event, count) in ledgers.accounted.map(unfolded) { try accountant.compose(event, count: count) }
        if asRun != nil {
            guard let asRunLedger = ledgers.asRun else {
                throw CheckpointError.mismatch("it has no ledger of the run as performed, but this run has a noise cohort")
            }
            var restored = RDPAccountant()
            for (event, count) in asRunLedger.map(unfolded) { try restored.compose(event, count: count) }
            asRun = restored
        }
        epsilon = accountant.ledger.isEmpty ? 0 : try accountant.epsilon(delta: configuration.delta)
        epsilonAsRun = try asRun.map { $0.ledger.isEmpty ? 0 : try $0.epsilon(delta: configuration.delta) } ?? epsilon
        previousEpsilon = epsilon
        pending = nil
    }
}

/// The events a run's accountants have composed, as the checkpoint stores them.
package struct PrivacyLedgers: Sendable, Equatable, Codable {
    /// What `privacy.accountant` composed (for the noise cohort, if there is one).
    package var accounted: [DPEvent]
    /// The run as performed, when it differs (a noise cohort): RDP.
    package var asRun: [DPEvent]?

    package init(accounted: [DPEvent], asRun: [DPEvent]?) {
        self.accounted = accounted
        self.asRun = asRun
    }
}

/// A round the privacy budget does not allow: nothing of it was released.
package struct PrivacyBudgetExhausted: Error, CustomStringConvertible {
    package var round: Int
    package var epsilon: Double
    package var budget: Double

    package var description: String {
        "round \(round) would bring ε to \(epsilon), over the budget of \(budget); nothing of it was released"
    }
}
