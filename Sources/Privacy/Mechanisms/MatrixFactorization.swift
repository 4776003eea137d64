import Foundation

/// DP-FTRL's noise, correlated across rounds through a factorisation A = B·C of the prefix-sum matrix A
/// (Kairouz et al. 2021, "Practical and Private (Deep) Learning without Sampling or Shuffling";
/// Choquette-Choo et al. 2023, "(Amplified) Banded Matrix Factorization"). The server releases
/// C·x + z with z ~ N(0, σ²) i.i.d.; what the model sees at round t is x_t plus (C⁻¹z)_t, a fixed
/// linear combination of i.i.d. Gaussian vectors.
///
/// The noise is computed, not stored: each Gaussian vector is a counter-based stream keyed by its index
/// (a round, or a tree node), so `noiseTerms(round:)` names which vectors round t adds and with what
/// coefficient, and the server regenerates them. Privacy: the whole run is one Gaussian mechanism of
/// sensitivity `sensitivity(rounds:schema:)` (the largest ‖C·G‖_F over contributions G that the
/// participation schema allows, each row of norm ≤ 1), so ε after t rounds is that of N(0, z²) against
/// a shift of sens_t — no amplification by sampling is assumed.
package enum MatrixFactorization: Sendable, Hashable, Codable {
    /// Binary-tree aggregation (Kairouz et al. 2021, after Dwork et al. 2010 and Chan et al. 2011):
    /// one noise vector per dyadic interval; round t's prefix sum uses the ≤ log₂t + 1 intervals of its
    /// binary decomposition.
    case treeAggregation
    /// Banded lower-triangular Toeplitz C with `bands` bands, the coefficients of (1 − x)^(−1/2) (the
    /// square root of the prefix-sum matrix, truncated: Kalinin & Lampert 2024's banded square root;
    /// Choquette-Choo et al. 2023 optimise the bands instead). With bands ≤ b, a user's columns never
    /// overlap, so the sensitivity is a sum of column norms.
    case bandedToeplitz(bands: Int)

    /// Which i.i.d. noise vectors (by stream key) round `round` (1-based) adds to the aggregate, and the
    /// coefficient of each (in units of σ): the round's row of C⁻¹, in the model's (per-round) space.
    package func noiseTerms(round: Int) -> [(key: UInt64, coefficient: Double)] {
        switch self {
        case .treeAggregation: TreeAggregation.noiseTerms(round: round)
        case let .bandedToeplitz(bands): BandedToeplitz(bands: bands).noiseTerms(round: round)
        }
    }

    /// The norm of the coefficients of the noise in the sum of rounds 1…`round` — what the model has
    /// accumulated, (B·z)_t — in units of σ: √popcount(t) for the tree (the intervals of t's binary
    /// decomposition), √Σ_{n<t} R_n² for banded (R the running sums of C⁻¹'s coefficients). Over √t it
    /// is the per-round noise that, independent, would accumulate to the same: what the signal-to-noise
    /// ratio of a DP-FTRL round is measured against.
    package func prefixNoiseNorm(round: Int) -> Double {
        switch self {
        case .treeAggregation: return Double(round.nonzeroBitCount).squareRoot()
        case let .bandedToeplitz(bands):
            var running = 0.0, total = 0.0
            for coefficient in BandedToeplitz(bands: bands).inverseCoefficients(count: round) {
                running += coefficient
                total += running * running
            }
            return total.squareRoot()
        }
    }

    /// The L2 sensitivity of the first `rounds` rounds of C·x (unit clip bound) under `schema`: an upper
    /// bound that `Tests/PrivacyTests/Mechanisms` checks against the brute-force maximum on small cases.
    package func sensitivity(rounds: Int, schema: ParticipationSchema) -> Double {
        switch self {
        case .treeAggregation: TreeAggregation.sensitivity(rounds: rounds, schema: schema)
        case let .bandedToeplitz(bands): BandedToeplitz(bands: bands).sensitivity(rounds: rounds, schema: schema)
        }
    }

    /// C restricted to the first `rounds` rounds, as dense rows (the brute-force oracle's input; small cases).
    package func encoder(rounds: Int) -> [[Double]] {
        switch self {
        case .treeAggregation: TreeAggregation.encoder(rounds: rounds)
        case let .bandedToeplitz(bands): BandedToeplitz(bands: bands).encoder(rounds: rounds)
        }
    }

    /// A short description for summaries: "tree" or "banded(4)".
    package var summary: String {
        switch self {
        case .treeAggregation: "tree"
        case let .bandedToeplitz(bands): "banded(\(bands))"
        }
    }

    /// The largest ‖C·G‖_F over every pattern the schema allows, G's rows (one per round the user takes
    /// part in) of norm ≤ 1, by enumeration: the patterns, and for each the ±1 sign vectors (a convex
    /// function of G is largest at a vertex, and for one coordinate the vertices are the sign vectors).
    /// Exponential in the rounds: the oracle the fast sensitivities are tested against.
    package static func bruteForceSensitivity(encoder c: [[Double]], rounds: Int, schema: ParticipationSchema) -> Double {
        var best = 0.0
        for pattern in schema.allPatterns(rounds: rounds) where !pattern.isEmpty {
            for signs in 0..<(1 << pattern.count) {
                var total = 0.0
                for row in c {
                    var value = 0.0
                    for (index, round) in pattern.enumerated() { value += (signs >> index & 1 == 1 ? -1 : 1) * row[round] }
                    total += value * value
                }
                best = max(best, total)
            }
        }
        return best.squareRoot()
    }
}
