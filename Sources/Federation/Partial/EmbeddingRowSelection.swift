import Foundation
import Kernels
import Learning

/// How the server picks the embedding rows a round trains (partial embedding updates).
///
/// The rows are chosen from public information only — a unigram estimate that does not come from the
/// training clients, and the round's public random stream — never from the cohort's data, so the choice
/// is the same whichever users were sampled and releases nothing about them (docs/peu.md states the
/// argument). The whole cohort trains the same rows.
package struct EmbeddingRowSelection: Sendable, Equatable, Codable {
    /// The rule.
    package enum Rule: String, Sendable, Equatable, Codable, CaseIterable {
        /// The `rows` most frequent words, every round.
        case top
        /// `rows` words drawn without replacement with probability ∝ frequency^power, fresh each round,
        /// so every word is trained now and then.
        case sampled
        /// The `topRows` most frequent words always, plus `rows − topRows` sampled from the rest.
        case mixed
    }

    package var rows: Int
    package var rule: Rule
    package var topRows: Int
    package var power: Double

    package init(rows: Int, rule: Rule = .sampled, topRows: Int = 0, power: Double = 1) {
        self.rows = rows
        self.rule = rule
        self.topRows = topRows
        self.power = power
    }

    /// Round `round`'s rows, ascending, drawn from a stream keyed by (seed, round) only.
    package func rows(round: Int, seed: UInt64, unigram: UnigramDistribution) -> [Int32] {
        let ranked = unigram.idsByFrequency()
        precondition(rows <= ranked.count, "EmbeddingRowSelection: more rows than words")
        let fixed = switch rule {
        case .top: rows
        case .sampled: 0
        case .mixed: topRows
        }
        var chosen = Array(ranked.prefix(fixed))
        if fixed < rows {
            // Weighted sampling without replacement (Efraimidis & Spirakis 2006): the m largest keys
            // log(u)/w, u ~ U(0, 1), are a sample with the sequential-draw probabilities ∝ w.
            var stream = RandomStream(seed: seed, keys: [0x9E0, UInt64(round)])
            var keyed: [(key: Double, id: Int32)] = []
            keyed.reserveCapacity(ranked.count - fixed)
            for id in ranked[fixed...] {
                let u = max(stream.uniformDouble(), .leastNonzeroMagnitude)
                let weight = pow(unigram.probabilities[Int(id)], power)
                keyed.append((weight > 0 ? log(u) / weight : -.infinity, id))
            }
            keyed.sort { $0.key != $1.key ? $0.key > $1.key : $0.id < $1.id }
            chosen += keyed.prefix(rows - fixed).map(\.id)
        }
        return chosen.sorted()
    }
}
