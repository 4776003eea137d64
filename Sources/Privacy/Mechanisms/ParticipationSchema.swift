import Foundation

/// How often one user may take part: at most `maxParticipations` rounds, each at least `minSeparation`
/// rounds after the one before (the "(k, b)-participation" schema of Choquette-Choo et al. 2023,
/// "(Amplified) Banded Matrix Factorization", §2). The cohort sampler enforces it; the accountant relies on it.
///
/// Why: device availability makes some users train far more often than sampling amplification assumes
/// (docs/devices.md). With the cap enforced, a user's privacy loss is bounded by what it can take part
/// in — without assuming anything about how cohorts were drawn.
package struct ParticipationSchema: Sendable, Hashable, Codable {
    /// k: the most rounds one user takes part in.
    package var maxParticipations: Int
    /// b: the fewest rounds between two participations of one user (1: consecutive rounds allowed).
    package var minSeparation: Int

    package init(maxParticipations: Int, minSeparation: Int = 1) {
        precondition(maxParticipations >= 1 && minSeparation >= 1, "ParticipationSchema: k and b are at least 1")
        self.maxParticipations = maxParticipations
        self.minSeparation = minSeparation
    }

    /// The most rounds one user can have taken part in among the first `rounds`: min(k, ⌈rounds / b⌉).
    package func maxParticipations(inRounds rounds: Int) -> Int {
        guard rounds > 0 else { return 0 }
        return min(maxParticipations, 1 + (rounds - 1) / minSeparation)
    }

    /// Whether a user who took part `count` times, last in round `lastRound` (nil: never), may take part
    /// in round `round`.
    package func allows(round: Int, count: Int, lastRound: Int?) -> Bool {
        count < maxParticipations && (lastRound.map { round - $0 >= minSeparation } ?? true)
    }

    /// Every participation pattern of `rounds` rounds (sets of 0-based round indices, increasing) the
    /// schema allows, the empty one included. Exponential: the brute-force oracle of small cases only.
    package func allPatterns(rounds: Int) -> [[Int]] {
        var patterns: [[Int]] = [[]]
        func extend(_ pattern: [Int]) {
            guard pattern.count < maxParticipations else { return }
            let start = pattern.last.map { $0 + minSeparation } ?? 0
            guard start < rounds else { return }
            for next in start..<rounds {
                let longer = pattern + [next]
                patterns.append(longer)
                extend(longer)
            }
        }
        extend([])
        return patterns
    }
}
