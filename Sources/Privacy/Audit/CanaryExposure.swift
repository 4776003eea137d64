import Foundation

/// A canary's exposure (Carlini, Liu, Erlingsson, Kos, Song 2019, "The Secret Sharer", USENIX Security,
/// §4): log₂|R| − log₂ rank, where rank is the canary's place (1 = most likely) by log-perplexity among
/// every sequence of its randomness space R.
///
/// Murmur estimates it by rank among n candidates sampled uniformly from the same space (their §4.2's
/// sampling estimate, not the skew-normal extrapolation of §4.3): with c candidates scoring at most the
/// canary's log-perplexity, the canary's rank among the n + 1 is c + 1 and
/// exposure ≈ log₂(n + 1) − log₂(c + 1). It is 0 for a canary no better than any candidate and at
/// most log₂(n + 1), which the sample size caps: a canary the model has memorised beyond 1 in n
/// shows as the cap. A never-inserted canary's rank is uniform, so its exposure averages
/// 1/ln 2 − O(log n / n) ≈ 1.44 bits: the control the inserted canaries are read against.
package enum CanaryExposure {
    /// The canary's rank among itself and the candidates: 1 + the candidates whose log-perplexity is at
    /// most its own (ties count against the canary, so the estimate never overstates).
    package static func rank(of logPerplexity: Double, among candidates: [Double]) -> Int {
        1 + candidates.reduce(0) { $0 + ($1 <= logPerplexity ? 1 : 0) }
    }

    /// log₂(n + 1) − log₂ rank for a canary of rank `rank` among itself and `candidates` sampled ones.
    package static func exposure(rank: Int, candidates: Int) -> Double {
        precondition(rank >= 1 && rank <= candidates + 1, "CanaryExposure: rank in 1…candidates + 1")
        return log2(Double(candidates + 1)) - log2(Double(rank))
    }

    /// The exposure of a canary of `logPerplexity` against `candidates`' log-perplexities.
    package static func exposure(of logPerplexity: Double, among candidates: [Double]) -> Double {
        exposure(rank: rank(of: logPerplexity, among: candidates), candidates: candidates.count)
    }
}
