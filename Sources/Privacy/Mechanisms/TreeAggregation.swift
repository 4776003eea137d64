import Foundation

/// Binary-tree aggregation as a matrix factorisation (Kairouz et al. 2021, §3; Dwork et al. 2010;
/// Chan, Shi, Song 2011): C has a row per dyadic interval of rounds, [i·2^ℓ, (i+1)·2^ℓ), with ones over
/// its rounds; the prefix sum of rounds [0, t) is the sum of the ≤ log₂t + 1 intervals of t's binary
/// decomposition, so its noise is that many i.i.d. vectors rather than t.
///
/// A round's noise (in the model's per-round space) is the prefix noise of t minus that of t − 1: the
/// intervals the two decompositions share cancel, leaving at most log₂t + 2 vectors to regenerate.
enum TreeAggregation {
    /// The stream key of the interval at `level` with index `index`: distinct from every round index.
    static func key(level: Int, index: Int) -> UInt64 { (UInt64(level + 1) << 40) | UInt64(index) }

    /// The intervals whose union is rounds [0, t), largest first.
    static func cover(_ t: Int) -> [UInt64] {
        var keys: [UInt64] = [], start = 0
        for level in stride(from: Int.bitWidth - 2, through: 0, by: -1) where t >> level & 1 == 1 {
            keys.append(key(level: level, index: start >> level))
            start += 1 << level
        }
        return keys
    }

    static func noiseTerms(round: Int) -> [(key: UInt64, coefficient: Double)] {
        let now = cover(round), before = Set(cover(round - 1)), shared = Set(now).intersection(before)
        return now.filter { !shared.contains($0) }.map { ($0, 1.0) }
            + cover(round - 1).filter { !shared.contains($0) }.map { ($0, -1.0) }
    }

    /// C over the first `rounds` rounds: a row per interval that lies wholly inside them.
    static func encoder(rounds: Int) -> [[Double]] {
        var rows: [[Double]] = []
        var level = 0
        while 1 << level <= rounds {
            for index in 0..<(rounds >> level) {
                var row = [Double](repeating: 0, count: rounds)
                for round in (index << level)..<((index + 1) << level) { row[round] = 1 }
                rows.append(row)
            }
            level += 1
        }
        return rows
    }

    /// An upper bound on the sensitivity under (k, b): C is non-negative, so the worst contribution is
    /// the same unit vector in every round taken part in, and sens² = Σ_intervals n_v², n_v the
    /// participations inside interval v. At each level Σ n_v ≤ k and each n_v ≤ min(k, ⌈2^ℓ/b⌉), so
    /// Σ n_v² ≤ k · min(k, ⌈2^ℓ/b⌉) per level. Exact for k = 1 (the levels an early round sits in).
    static func sensitivity(rounds: Int, schema: ParticipationSchema) -> Double {
        let k = schema.maxParticipations(inRounds: rounds)
        var total = 0, level = 0
        while 1 << level <= rounds {
            let width = 1 << level
            total += k * min(k, (width + schema.minSeparation - 1) / schema.minSeparation)
            level += 1
        }
        return Double(total).squareRoot()
    }
}
