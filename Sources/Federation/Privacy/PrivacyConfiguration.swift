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

        var isLocal: Bool { self == .localGaussian || self == .localLaplace }
        var isInteger: Bool { self == .discreteGaussian || self == .skellam }
        var usesL1: Bool { self == .laplace || self == .localLaplace }
    }

    package enum ClippingMode: String, Sendable, Equatable, Codable, CaseIterable {
        case flat, perLayer
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

    package init() {}

    /// The clipping rule for this mechanism at bound `bound`.
    package func clippingRule(bound: Double) -> UpdateClipping {
        if mechanism.usesL1 { return .flatL1(bound: bound) }
        return clipping == .perLayer ? .perLayerL2(bound: bound) : .flatL2(bound: bound)
    }

    /// The noise multiplier left for the update itself after adaptive clipping's share.
    package var updateNoiseMultiplier: Double? {
        guard let adaptive = adaptiveClipping else { return noiseMultiplier }
        return adaptive.updateNoiseMultiplier(total: noiseMultiplier)
    }
}
