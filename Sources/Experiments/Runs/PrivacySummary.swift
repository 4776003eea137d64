import Federation
import Foundation
import Privacy

/// `summary.json`'s privacy section: the final ε and exactly how it was computed.
package struct PrivacySummary: Sendable, Equatable, Codable {
    package var mechanism: PrivacyConfiguration.Mechanism
    package var accountant: AccountantKind
    package var relation: NeighbouringRelation
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

extension PrivacySummary {
    /// The summary's privacy section from the run's budget (what was released) and its plan.
    init(_ budget: PrivacyBudget, plan: PrivacyPlan, stoppedAtBudget: Bool) throws {
        let c = budget.configuration
        self.init(
            mechanism: c.mechanism, accountant: c.accountant, relation: plan.relation,
            delta: c.delta, epsilon: budget.epsilon, epsilonBudget: c.epsilonBudget, noiseMultiplier: c.noiseMultiplier,
            noiseSource: plan.noiseSource, plannedRounds: plan.plannedRounds, plannedEpsilon: plan.plannedEpsilon,
            clipping: c.mechanism.usesL1 ? "flatL1" : c.clipping.rawValue,
            clipBound: c.clipBound, adaptiveClipping: c.adaptiveClipping != nil, noiseCohortSize: c.noiseCohortSize,
            epsilonAsRun: try budget.epsilonAsRun(), stoppedAtBudget: stoppedAtBudget,
            ledger: budget.accountant.ledger.map(\.summary).joined(separator: "; "))
    }
}
