import Foundation

/// The empirical lower bound on ε of one training run with m randomly included canaries (Steinke, Nasr,
/// Jagielski 2023, "Privacy Auditing with One (1) Training Run", NeurIPS).
///
/// Each of m canaries is included with probability ½ by an independent coin; after training the
/// auditor guesses "included" for the k₊ best-scored canaries and "excluded" for the k₋ worst, and
/// abstains on the rest. Under (ε, δ)-DP the number of correct guesses W out of r = k₊ + k₋ is
/// stochastically dominated by Binomial(r, e^ε/(1 + e^ε)) up to a δ term (their Theorem 3.1, with the
/// δ part of Corollary 5.4, §5). So v correct guesses reject every ε whose p-value
/// P[W ≥ v] is below β, and the largest such ε is a lower bound at confidence 1 − β.
///
/// `pValue` and `epsilonLowerBound` are Appendix D's `p_value_DP_audit` and `get_eps_audit`, step for
/// step (the bracket grown by 1, then 30 bisections, returning the low end: the conservative side).
package enum OneRunAudit {
    /// The auditor's guesses and how many were right.
    package struct Guesses: Sendable, Equatable, Codable {
        /// Guesses made: k₊ "included" plus k₋ "excluded" (r in the paper).
        package var count: Int
        /// Guesses that matched the coins (v in the paper).
        package var correct: Int

        package init(count: Int, correct: Int) {
            self.count = count
            self.correct = correct
        }
    }

    /// P[W ≥ v] under (ε, δ)-DP: the chance of at least `correct` right guesses out of `guesses` among
    /// `canaries` randomised canaries (Corollary 5.4; Appendix D, `p_value_DP_audit`).
    ///
    /// β = P[Binomial(r, q) ≥ v] with q = e^ε/(1+e^ε), plus 2·m·δ·α where α is the largest
    /// P[v > Binomial(r, q) ≥ v − i]/i over i = 1…v. Capped at 1.
    package static func pValue(canaries m: Int, guesses r: Int, correct v: Int, epsilon: Double, delta: Double) -> Double {
        precondition(0 <= v && v <= r && r <= m, "OneRunAudit: need 0 ≤ correct ≤ guesses ≤ canaries")
        precondition(epsilon >= 0 && (0...1).contains(delta), "OneRunAudit: ε ≥ 0 and δ in [0, 1]")
        let binomial = Binomial(trials: r, logSuccess: -log1p(exp(-epsilon)), logFailure: -epsilon - log1p(exp(-epsilon)))
        var beta = 0.0  // P[Binomial(r, q) ≥ v]
        for k in stride(from: r, through: v, by: -1) { beta += binomial.probability(k) }  // small terms first
        var alpha = 0.0, sum = 0.0  // sum = P[v > Binomial(r, q) ≥ v − i]
        if v >= 1 {
            for i in 1...v {
                sum += binomial.probability(v - i)
                if sum > Double(i) * alpha { alpha = sum / Double(i) }
            }
        }
        return min(beta + alpha * delta * 2 * Double(m), 1)
    }

    /// The largest ε (to 30 bisections of a unit bracket) that v correct guesses out of r reject at
    /// significance `significance` (β: 0.05 for 95% confidence): the run is not (ε, δ)-DP for any
    /// smaller ε, with probability 1 − β over the coins (Appendix D, `get_eps_audit`). 0 when nothing
    /// is rejected.
    package static func epsilonLowerBound(canaries m: Int, guesses r: Int, correct v: Int, delta: Double,
                                          significance: Double) -> Double {
        precondition(significance > 0 && significance < 1, "OneRunAudit: significance in (0, 1)")
        var low = 0.0, high = 1.0  // pValue(low) < β, pValue(high) ≥ β (low = 0 may fail it: then 0 is returned)
        while pValue(canaries: m, guesses: r, correct: v, epsilon: high, delta: delta) < significance { high += 1 }
        for _ in 0..<30 {
            let middle = (low + high) / 2
            if pValue(canaries: m, guesses: r, correct: v, epsilon: middle, delta: delta) < significance {
                low = middle
            } else {
                high = middle
            }
        }
        return low
    }

    /// Guesses from scores (higher: more likely included, e.g. the negative loss): "included" for the
    /// `guessIncluded` highest, "excluded" for the `guessExcluded` lowest, scored against `included`
    /// (the coins). Ties are broken by canary index, so the guesses are a function of the inputs.
    package static func guesses(scores: [Double], included: [Bool], guessIncluded: Int, guessExcluded: Int) -> Guesses {
        precondition(scores.count == included.count, "OneRunAudit: one score per canary")
        precondition(guessIncluded >= 0 && guessExcluded >= 0 && guessIncluded + guessExcluded <= scores.count,
                     "OneRunAudit: k₊ + k₋ guesses at most the canaries")
        let order = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        var correct = 0
        for index in order.prefix(guessIncluded) where included[index] { correct += 1 }
        for index in order.suffix(guessExcluded) where !included[index] { correct += 1 }
        return Guesses(count: guessIncluded + guessExcluded, correct: correct)
    }
}

/// Binomial(n, q) probabilities from log q and log(1 − q), through lgamma: exact to rounding for the n
/// of an audit (10⁴ and beyond), and finite where q is within 1e−300 of 0 or 1.
private struct Binomial {
    let trials: Int
    let logSuccess: Double
    let logFailure: Double

    /// P[Binomial = k].
    func probability(_ k: Int) -> Double {
        let n = Double(trials), x = Double(k)
        let logChoose = lgamma(n + 1) - lgamma(x + 1) - lgamma(n - x + 1)
        let successes = k == 0 ? 0 : x * logSuccess, failures = k == trials ? 0 : (n - x) * logFailure
        return exp(logChoose + successes + failures)
    }
}
