import Federation
import Foundation
import Privacy

/// `summary.json`'s privacy section: the final ε and exactly how it was computed.
package struct PrivacySummary: Sendable, Equatable, Codable {
    package var mechanism: PrivacyConfiguration.Mechanism
    package var accountant: AccountantKind
    package var relation: NeighbouringRelation
    package var delta: Double
    /// ε of the rounds actually released, by `accountant` (for the simulated cohort under a noise cohort).
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
    /// The population the cohorts are drawn from (what "a cohort of N of M users" names).
    package var populationSize: Int?
    /// The mean over the rounds of the aggregate's signal-to-noise ratio (central Gaussian noise), and
    /// the warning when it is below `PrivacyDisplay.swampedBelow`.
    package var meanSignalToNoise: Double?
    package var signalToNoiseWarning: String?
    /// The participation cap (k rounds, b apart) ε is accounted under, when there is one.
    package var maxParticipations: Int?
    package var minSeparation: Int?
    /// The most rounds any one user took part in, and how many users took part at all.
    package var mostParticipations: Int?
    package var participants: Int?
    /// DP-FTRL: the factorisation ("tree", "banded(4)") and the run's L2 sensitivity under the schema
    /// (in clip bounds), whose Gaussian the ε is.
    package var matrixFactorization: String?
    package var sensitivity: Double?
    package var stoppedAtBudget: Bool
    /// The composed events, e.g. "poisson(q=0.005, gaussian(z=1.32)) × 300".
    package var ledger: String

    /// ε as the run actually spent it: what is shown first everywhere.
    package var epsilonShown: Double { epsilonAsRun ?? epsilon }

    /// "2.00 for a cohort of 1000 of 20000 users" under a noise cohort (the ε a deployment with that
    /// cohort would spend); nil without one.
    package var deploymentEpsilon: String? {
        guard let noiseCohortSize, let populationSize else { return nil }
        return PrivacyDisplay.deploymentEpsilon(epsilon, noiseCohort: noiseCohortSize, population: populationSize)
    }
}

extension PrivacySummary {
    /// The summary's privacy section from the run's budget (what was released), its plan, the
    /// population and the rounds' signal-to-noise ratios.
    init(_ budget: PrivacyBudget, plan: PrivacyPlan, stoppedAtBudget: Bool, population: Int, signalToNoise: [Double],
         participation: ParticipationLedger?, rounds: Int) {
        let c = budget.configuration
        let meanRatio = PrivacyDisplay.mean(signalToNoise)
        self.init(
            mechanism: c.mechanism, accountant: c.accountant, relation: plan.relation,
            delta: c.delta, epsilon: budget.epsilon, epsilonBudget: c.epsilonBudget, noiseMultiplier: c.noiseMultiplier,
            noiseSource: plan.noiseSource, plannedRounds: plan.plannedRounds, plannedEpsilon: plan.plannedEpsilon,
            clipping: c.mechanism.usesL1 ? "flatL1" : c.clipping.rawValue,
            clipBound: c.clipBound, adaptiveClipping: c.adaptiveClipping != nil, noiseCohortSize: c.noiseCohortSize,
            epsilonAsRun: budget.epsilonAsRunIfDifferent, populationSize: population, meanSignalToNoise: meanRatio,
            signalToNoiseWarning: meanRatio.flatMap { PrivacyDisplay.swampWarning(signalToNoise: $0, noiseCohort: c.noiseCohortSize != nil) },
            maxParticipations: c.participation?.maxParticipations, minSeparation: c.participation?.minSeparation,
            mostParticipations: participation?.maxCount, participants: participation?.participants,
            matrixFactorization: c.matrixFactorization?.summary,
            sensitivity: c.mechanism == .dpftrl ? c.matrixSensitivity(rounds: rounds) : nil,
            stoppedAtBudget: stoppedAtBudget, ledger: budget.accountant.ledger.map(\.summary).joined(separator: "; "))
    }
}
