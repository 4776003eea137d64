import Foundation

/// A banded lower-triangular Toeplitz encoder C (Choquette-Choo et al. 2023, "(Amplified) Banded Matrix
/// Factorization", §3): C[i][j] = c_{i−j} for 0 ≤ i − j < bands. The coefficients are those of
/// (1 − x)^(−1/2), c_j = binom(2j, j)/4^j, so that untruncated C·C is the prefix-sum matrix (the
/// square-root factorisation of Fichtenberger, Henzinger, Upadhyay 2023; banded, Kalinin & Lampert 2024).
/// Choquette-Choo et al. optimise the bands numerically; this closed form needs no optimisation (its
/// error against theirs is not measured here).
///
/// Round t's noise is (C⁻¹z)_t = Σ_{j ≤ t} r_{t−j} z_j, with r the series inverse of c: every past
/// round's vector, regenerated from its stream (t vectors at round t; tree aggregation needs log t).
struct BandedToeplitz {
    var bands: Int

    /// c_0 … c_{bands−1}.
    var coefficients: [Double] {
        var c = [1.0]
        for j in 1..<max(bands, 1) { c.append(c[j - 1] * Double(2 * j - 1) / Double(2 * j)) }
        return c
    }

    /// r_0 … r_{count−1}, the first coefficients of 1 / (c_0 + c_1 x + … ): the rows of C⁻¹.
    func inverseCoefficients(count: Int) -> [Double] {
        let c = coefficients
        var r = [Double](repeating: 0, count: count)
        for n in 0..<count {
            var value = n == 0 ? 1.0 : 0.0
            for j in 1..<min(n + 1, c.count) { value -= c[j] * r[n - j] }
            r[n] = value
        }
        return r
    }

    func noiseTerms(round: Int) -> [(key: UInt64, coefficient: Double)] {
        let r = inverseCoefficients(count: round)
        return (0..<round).compactMap { j in
            let coefficient = r[round - 1 - j]
            return coefficient == 0 ? nil : (UInt64(j), coefficient)
        }
    }

    func encoder(rounds: Int) -> [[Double]] {
        let c = coefficients
        return (0..<rounds).map { i in (0..<rounds).map { j in i - j >= 0 && i - j < c.count ? c[i - j] : 0 } }
    }

    /// The sensitivity under (k, b). With bands ≤ b (or one participation) a user's columns have
    /// disjoint rows, so sens² is the sum of their squared norms; column t's norm shrinks only at the end
    /// (fewer rows below), so the earliest rounds 0, b, 2b, … are the worst pattern (exact). With bands > b
    /// the columns overlap: the triangle inequality bounds sens by the sum of the k largest column norms.
    func sensitivity(rounds: Int, schema: ParticipationSchema) -> Double {
        let c = coefficients
        let k = schema.maxParticipations(inRounds: rounds)
        func squaredNorm(column t: Int) -> Double {
            (0..<min(c.count, rounds - t)).reduce(0) { $0 + c[$1] * c[$1] }
        }
        if bands <= schema.minSeparation || k == 1 {
            return (0..<k).reduce(0) { $0 + squaredNorm(column: $1 * schema.minSeparation) }.squareRoot()
        }
        return Double(k) * squaredNorm(column: 0).squareRoot()
    }
}
