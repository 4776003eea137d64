import Federation
import Foundation
import Learning
import Privacy

/// How a run's noise was chosen, for the summary: calibrated to a target, or given.
package struct PrivacyPlan: Sendable, Equatable, Codable {
    /// "calibrated" (the noise multiplier was solved for the target ε over the planned rounds) or "given".
    package var noiseSource: String
    package var plannedRounds: Int
    /// The neighbouring relation the ε is for.
    package var relation: NeighbouringRelation
    /// The ε the planned run reaches with this noise (the target, or just under it, when calibrated).
    package var plannedEpsilon: Double
}

extension Scenario {
    /// Reads the `privacy` section (docs/scenarios.md): mechanism, clipping, noise or target, accountant.
    /// Calibrates the noise multiplier when a target ε is given without one, and rejects impossible
    /// targets before anything runs.
    static func readPrivacy(_ r: ScenarioReader, rounds: Int, training: FederatedTrainingConfiguration, shape: ModelShape,
                            population: Int) throws(ScenarioError) -> (PrivacyConfiguration, PrivacyPlan) {
        var c = PrivacyConfiguration()
        r.declare(["epsilon", "noiseMultiplier", "noiseCohortSize", "delta", "maxParticipations", "minSeparation",
                   "matrixFactorization", "bands"])
        let mechanism = try r.choice("mechanism", default: "gaussian", among: PrivacyConfiguration.Mechanism.allCases.map(\.rawValue))
        c.mechanism = PrivacyConfiguration.Mechanism(rawValue: mechanism)!
        c.clipping = PrivacyConfiguration.ClippingMode(rawValue: try r.choice(
            "clipping", default: "flat", among: PrivacyConfiguration.ClippingMode.allCases.map(\.rawValue)))!
        c.clipBound = try r.number("clipBound", default: 1.0, in: 0...1e6, excludingLowerBound: true)
        guard r.contains("delta") else {
            throw r.error("delta", "required: the δ of the (ε, δ) guarantee, in (0, 1) (e.g. 1e-6, below 1/population)")
        }
        c.delta = try r.number("delta", default: 1e-6, in: 0...1, excludingLowerBound: true)
        if c.delta >= 1 { throw r.error("delta", "must be below 1, got \(c.delta)") }
        let accountantDefault = c.mechanism.isInteger ? "rdp" : "pld"
        c.accountant = AccountantKind(rawValue: try r.choice("accountant", default: accountantDefault, among: ["pld", "rdp"]))!
        let epsilon = r.contains("epsilon") ? try r.number("epsilon", default: 0, in: 0...1e6, excludingLowerBound: true) : nil
        let givenNoise = r.contains("noiseMultiplier")
            ? try r.number("noiseMultiplier", default: 0, in: 0...1e6, excludingLowerBound: true) : nil
        guard epsilon != nil || givenNoise != nil else {
            throw r.error("epsilon", "give a target epsilon (the noise is calibrated to it) or a noiseMultiplier, or both "
                + "(the run then stops at the epsilon budget)")
        }
        c.epsilonBudget = epsilon
        if r.contains("noiseCohortSize") {
            c.noiseCohortSize = try r.integer("noiseCohortSize", default: 0, in: 1...population)
            guard c.mechanism == .gaussian || c.mechanism == .laplace else {
                throw r.error("noiseCohortSize", "applies to the central mechanisms (gaussian, laplace) only")
            }
        }
        try readParticipation(r, into: &c, rounds: rounds, training: training)
        let adaptive = try r.section("adaptiveClipping")
        let expectedCohort = training.sampling.expectedSize(population: population)
        if !adaptive.isEmpty {
            guard c.mechanism == .gaussian, c.participation == nil else { throw r.error("adaptiveClipping", "works with the gaussian mechanism only, without a participation cap") }
            let quantile = try adaptive.number("targetQuantile", default: 0.5, in: 0...1)
            let rate = try adaptive.number("learningRate", default: 0.2, in: 0...10, excludingLowerBound: true)
            // Andrew et al. 2021 use σ_b = cohort/20: the count is then accurate to a few percent.
            let countNoise = try adaptive.number("countNoise", default: expectedCohort / 20, in: 0...1e9, excludingLowerBound: true)
            c.adaptiveClipping = AdaptiveClipping(initialBound: c.clipBound, countNoiseStandardDeviation: countNoise,
                                                  targetQuantile: quantile, learningRate: rate)
            try adaptive.finish()
        }
        if training.client.weighting != .user {
            throw r.error("mechanism", "differential privacy bounds each user's contribution: set clients.weighting to user")
        }

        // The event of one planned round, by the same definition the run reports its rounds with.
        let relation = c.relation(sampling: training.sampling)
        let dimension = c.mechanism.isInteger ? training.updateDimension(shape: shape) : 0
        let plannedContributors = max(Int(expectedCohort.rounded()), 1)
        let planned = c  // noiseMultiplier, set below, does not enter the event's shape
        // Under DP-FTRL the planned run is one Gaussian of multiplier z / sens_T; under a cap, min(k, ⌈T/b⌉)
        // unamplified rounds (`PrivacyConfiguration.composedCount`); otherwise T rounds as sampled.
        let sensitivity = c.mechanism == .dpftrl ? c.matrixSensitivity(rounds: rounds) : 1
        let steps = c.accountedSteps(rounds: rounds)
        let round = { (z: Double) -> DPEvent in
            if planned.mechanism == .dpftrl { return .gaussian(noiseMultiplier: z / sensitivity) }
            let mechanismEvent = planned.mechanismEvent(noiseMultiplier: z, dimension: dimension, expectedCohort: expectedCohort,
                                                        contributors: plannedContributors)
            return planned.roundEvent(mechanismEvent, sampling: training.sampling, population: population)
        }
        if relation == .replaceOne && c.accountant == .rdp {
            throw r.error("accountant", "rdp cannot account for a fixed-size cohort (sampling without replacement); "
                + "use pld, or clients.sampling poisson")
        }
        if c.mechanism.isInteger {
            if c.accountant == .pld { throw r.error("accountant", "the integer mechanisms are accounted with rdp") }
            if relation == .replaceOne { throw r.error("mechanism", "\(mechanism) needs clients.sampling poisson (rdp accounting)") }
        }
        let calibration = NoiseCalibration(accountant: c.accountant, relation: relation)
        do {
            if let givenNoise {
                c.noiseMultiplier = givenNoise
            } else {
                c.noiseMultiplier = try calibration.smallestNoiseMultiplier(epsilon: epsilon!, delta: c.delta, steps: steps, event: round)
            }
            if c.adaptiveClipping != nil && c.updateNoiseMultiplier == nil {
                throw ScenarioError(file: r.file, keyPath: r.path + ".adaptiveClipping.countNoise",
                                    message: "the count's noise (\(c.adaptiveClipping!.countNoiseStandardDeviation)) alone costs more "
                                        + "than noise multiplier \(c.noiseMultiplier) allows; it must exceed \(c.noiseMultiplier / 2)")
            }
            let planned = try calibration.epsilon(steps: steps, delta: c.delta, event: round, noiseMultiplier: c.noiseMultiplier)
            try r.finish()
            let plan = PrivacyPlan(noiseSource: givenNoise == nil ? "calibrated" : "given", plannedRounds: rounds,
                                   relation: relation, plannedEpsilon: planned)
            return (c, plan)
        } catch let error as AccountingError {
            throw r.error(givenNoise == nil ? "epsilon" : "noiseMultiplier", error.description)
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw r.error("", "\(error)")
        }
    }
}

extension Scenario {
    /// The participation cap (`maxParticipations`, `minSeparation`) and DP-FTRL's factorisation
    /// (`matrixFactorization`, `bands`), checked against what they cannot go with.
    static func readParticipation(_ r: ScenarioReader, into c: inout PrivacyConfiguration, rounds: Int,
                                  training: FederatedTrainingConfiguration) throws(ScenarioError) {
        if r.contains("maxParticipations") || r.contains("minSeparation") {
            let k = try r.integer("maxParticipations", default: rounds, in: 1...1_000_000)
            let b = try r.integer("minSeparation", default: 1, in: 1...1_000_000)
            c.participation = ParticipationSchema(maxParticipations: k, minSeparation: b)
            if c.noiseCohortSize != nil {
                throw r.error("maxParticipations", "a participation cap is accounted from the real cohort's noise; remove noiseCohortSize")
            }
        }
        if c.mechanism == .dpftrl {
            if c.noiseCohortSize != nil { throw r.error("noiseCohortSize", "does not apply to dpftrl (its noise is correlated across rounds)") }
            let strategy = try r.choice("matrixFactorization", default: "tree", among: ["tree", "banded"])
            if strategy == "banded" {
                let bands = try r.integer("bands", default: c.participation?.minSeparation ?? 1, in: 1...max(rounds, 1))
                c.matrixFactorization = .bandedToeplitz(bands: bands)
            } else {
                if r.contains("bands") { throw r.error("bands", "applies to matrixFactorization banded only") }
                c.matrixFactorization = .treeAggregation
            }
        } else if r.contains("matrixFactorization") || r.contains("bands") {
            throw r.error(r.contains("bands") ? "bands" : "matrixFactorization", "applies to mechanism dpftrl only")
        }
    }
}
