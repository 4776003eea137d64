import Privacy

/// What differential privacy a run applies: mechanism, clipping, noise and accounting, resolved (the
/// noise multiplier is known, calibrated or given). Value type: it goes into the resolved scenario.
package struct PrivacyConfiguration: Sendable, Equatable, Codable {
    /// Where the noise is added and of which kind.
    package enum Mechanism: String, Sendable, Equatable, Codable, CaseIterable {
        /// Central Gaussian noise on the sum of clipped updates (L2 clipping).
        case gaussian
        /// Central Laplace noise on the sum (L1 clipping).
        case laplace
        /// Each client adds Gaussian noise to its own clipped update (local DP; no amplification).
        case localGaussian
        /// Each client adds Laplace noise to its own L1-clipped update.
        case localLaplace
        /// Clients round their scaled update to integers and add discrete Gaussian shares, for secure
        /// aggregation (Kairouz, Liu, Steinke 2021). RDP accounting.
        case discreteGaussian
        /// As `discreteGaussian` with Skellam shares (Agarwal, Kairouz, Liu 2021). RDP accounting.
        case skellam
        /// DP-FTRL: central Gaussian noise correlated across rounds through a matrix factorisation
        /// (`matrixFactorization`; Kairouz et al. 2021, Choquette-Choo et al. 2023), accounted without
        /// amplification under the participation schema.
        case dpftrl

        /// Noise added by each client to its own update.
        package var isLocal: Bool { self == .localGaussian || self == .localLaplace }
        /// Integer noise shares over a rounded, scaled update (RDP accounting only).
        package var isInteger: Bool { self == .discreteGaussian || self == .skellam }
        /// Clipped in L1 (the Laplace mechanisms' sensitivity).
        package var usesL1: Bool { self == .laplace || self == .localLaplace }
    }

    /// L2 clipping of the whole update, or of each tensor to an equal share (`perLayer`, the FL4ASR
    /// companion's `uniform`: C/√H) or a share by size (`perLayerDimension`, its `dim`: C·√(d_h/Σd)).
    package enum ClippingMode: String, Sendable, Equatable, Codable, CaseIterable {
        case flat, perLayer, perLayerDimension
    }

    package var mechanism = Mechanism.gaussian
    package var clipping = ClippingMode.flat
    /// The clip bound C (the initial one under adaptive clipping).
    package var clipBound = 1.0
    package var adaptiveClipping: AdaptiveClipping?
    /// z: noise standard deviation over the sensitivity, for the whole round (adaptive clipping's count
    /// noise included).
    package var noiseMultiplier = 1.0
    /// pfl-research's option: add noise as if the cohort had this many users (noise on the sum scaled by
    /// cohort / noiseCohortSize), to simulate a large cohort's signal-to-noise cheaply. ε is then
    /// reported for that simulated cohort, and the ε of the run as performed separately.
    package var noiseCohortSize: Int?
    package var accountant = AccountantKind.pld
    package var delta = 1e-6
    /// The budget a run stops at; nil for a run that only reports ε.
    package var epsilonBudget: Double?
    /// A cap on each user's participations (count, separation) that cohort sampling enforces; ε is then
    /// accounted from the cap, without amplification by sampling (`accountedEvent`).
    package var participation: ParticipationSchema?
    /// DP-FTRL's factorisation (with `mechanism == .dpftrl`).
    package var matrixFactorization: MatrixFactorization?

    package init() {}

    /// The clipping rule for this mechanism at bound `bound`.
    package func clippingRule(bound: Double) -> UpdateClipping {
        if mechanism.usesL1 { return .flatL1(bound: bound) }
        switch clipping {
        case .flat: return .flatL2(bound: bound)
        case .perLayer: return .perLayerL2(bound: bound)
        case .perLayerDimension: return .perLayerDimensionL2(bound: bound)
        }
    }

    /// The noise multiplier left for the update itself after adaptive clipping's share.
    package var updateNoiseMultiplier: Double? {
        guard let adaptive = adaptiveClipping else { return noiseMultiplier }
        return adaptive.updateNoiseMultiplier(total: noiseMultiplier)
    }

    // MARK: - The events a round spends (one definition for calibration and for the run)

    /// Integer units per parameter unit for the integer mechanisms: the clipped update spans 20·√d
    /// units, so rounding each coordinate (which adds at most √d to the L2 norm) inflates the
    /// sensitivity by 5% (Kairouz, Liu, Steinke 2021, §4, with β = 0: no conditional rounding).
    package static func integerScale(bound: Double, dimension: Int) -> Double { 20 * Double(dimension).squareRoot() / bound }

    /// L1 and L2 sensitivity in integer units after rounding (independent of the bound).
    package static func integerSensitivities(dimension: Int) -> (l1: Double, l2: Double) {
        let root = Double(dimension).squareRoot()
        let l2 = 20 * root + root
        return (l2 * min(root, l2), l2)
    }

    /// Each client's integer noise standard deviation, so that the expected cohort's shares add up to
    /// z times the L2 sensitivity.
    package static func integerShare(noiseMultiplier z: Double, dimension: Int, expectedCohort: Double) -> Double {
        z * integerSensitivities(dimension: dimension).l2 / max(expectedCohort, 1).squareRoot()
    }

    /// The event of the mechanism itself (before sampling) at noise multiplier `z`; for the integer
    /// mechanisms, with one noise share from each of `contributors` clients.
    package func mechanismEvent(noiseMultiplier z: Double, dimension: Int, expectedCohort: Double, contributors: Int) -> DPEvent {
        switch mechanism {
        case .gaussian, .localGaussian, .dpftrl: return .gaussian(noiseMultiplier: z)
        case .laplace, .localLaplace: return .laplace(noiseMultiplier: z)
        case .discreteGaussian, .skellam:
            let (l1, l2) = Self.integerSensitivities(dimension: dimension)
            let share = Self.integerShare(noiseMultiplier: z, dimension: dimension, expectedCohort: expectedCohort)
            let clients = max(contributors, 1)
            return mechanism == .skellam
                ? .skellam(variance: Double(clients) * share * share, l1Sensitivity: l1, l2Sensitivity: l2)
                : .distributedDiscreteGaussian(localStandardDeviation: share, clients: clients, dimension: dimension,
                                               l1Sensitivity: l1, l2Sensitivity: l2)
        }
    }

    /// The neighbouring relation a run with this sampling is accounted under: a fixed-size cohort
    /// (without a noise cohort, which is accounted as Poisson) is analysed under replace-one.
    package func relation(sampling: CohortSampling) -> NeighbouringRelation {
        if case .fixedSize = sampling, !mechanism.isLocal, noiseCohortSize == nil { return .replaceOne }
        return .addOrRemoveOne
    }

    /// One round's event from the mechanism's event: no amplification for local noise (the server sees
    /// who took part) nor under a participation cap or DP-FTRL (see `composedCount`); the simulated
    /// Poisson sample for a noise cohort; otherwise the sampling as run.
    package func roundEvent(_ mechanismEvent: DPEvent, sampling: CohortSampling, population: Int) -> DPEvent {
        if mechanism.isLocal || participation != nil || mechanism == .dpftrl { return mechanismEvent }
        if let noiseCohortSize {
            return .poissonSampled(probability: min(1, Double(noiseCohortSize) / Double(population)), event: mechanismEvent)
        }
        switch sampling {
        case .poisson:
            return .poissonSampled(probability: min(1, sampling.expectedSize(population: population) / Double(population)),
                                   event: mechanismEvent)
        case let .fixedSize(size):
            return .sampledWithoutReplacement(sampleSize: min(size, population), populationSize: population, event: mechanismEvent)
        }
    }
}

// MARK: - Accounting from the participation schema (no amplification)

extension PrivacyConfiguration {
    /// The participation schema ε is accounted under: the cap if there is one, else any user in every round.
    package var schema: ParticipationSchema {
        participation ?? ParticipationSchema(maxParticipations: Int.max, minSeparation: 1)
    }

    /// DP-FTRL's sensitivity (unit clip bound) over the first `rounds` rounds under the schema.
    package func matrixSensitivity(rounds: Int) -> Double {
        matrixFactorization?.sensitivity(rounds: rounds, schema: schema) ?? 0
    }

    /// How many times round `round`'s event is composed. Normally once. Under a participation cap,
    /// once when the cap lets a user have taken part once more by this round than by the one before
    /// (min(k, ⌈t/b⌉) − min(k, ⌈(t−1)/b⌉)), else not at all: the ledger holds exactly the rounds one user
    /// can have been in, each unamplified. Under DP-FTRL, once when the run's sensitivity grew.
    package func composedCount(round: Int) -> Int {
        if mechanism == .dpftrl { return matrixSensitivity(rounds: round) > matrixSensitivity(rounds: round - 1) * (1 + 1e-12) ? 1 : 0 }
        guard let participation else { return 1 }
        return participation.maxParticipations(inRounds: round) - participation.maxParticipations(inRounds: round - 1)
    }

    /// DP-FTRL's event for round `round`: the whole run is one Gaussian mechanism of sensitivity sens_t
    /// and noise z, i.e. μ_t = sens_t / z; Gaussians without sampling compose by adding μ², so round t
    /// adds a Gaussian of multiplier z / √(sens_t² − sens_{t−1}²), and the composed ledger is exactly the
    /// one Gaussian of μ_t (PLD's closed form and RDP both add μ²).
    package func dpftrlEvent(round: Int, noiseMultiplier z: Double) -> DPEvent {
        let now = matrixSensitivity(rounds: round), before = matrixSensitivity(rounds: round - 1)
        let growth = max(now * now - before * before, 1e-300)
        return .gaussian(noiseMultiplier: z / growth.squareRoot())
    }

    /// The rounds of a run's ledger and the event of each, for calibration: under DP-FTRL, one Gaussian
    /// of multiplier z / sens_T; under a cap, min(k, ⌈T/b⌉) unamplified rounds; otherwise T rounds.
    package func accountedSteps(rounds: Int) -> Int {
        if mechanism == .dpftrl { return 1 }
        return participation?.maxParticipations(inRounds: rounds) ?? rounds
    }
}
