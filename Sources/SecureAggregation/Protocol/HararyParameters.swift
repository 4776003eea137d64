import Foundation

/// SecAgg+'s graph degree k and Shamir threshold t from Bell et al. 2020's bound ("Secure
/// Single-Server Aggregation with (Poly)Logarithmic Overhead", CCS 2020: §3's semi-honest and §4's
/// malicious-server conditions), in the form used for the random Harary graph H(n, k) of `MaskingGraph`:
/// the smallest even k for which, with at most a fraction γ of the n clients corrupted (colluding
/// with the server) and at most a fraction δ dropping out,
///
/// 1. **security** (σ): the honest survivors stay connected — removing clients disconnects H(n, k)
///    only if they include two runs of k/2 consecutive clients of the random cyclic order, so by a
///    union bound over the n(n − k − 1)/2 pairs of runs, P ≤ n(n−k−1)/2 · B!(n−k)!/(n!(B−k)!) with
///    B = ⌊γn⌋ + ⌊δn⌋ bad clients — and no client has t or more corrupted neighbours
///    (the corrupted neighbours are hypergeometric, a union bound over the n clients), each event
///    below 2^−(σ+1);
/// 2. **correctness** (η): every client keeps at least t surviving neighbours, so every secret the
///    server needs can be reconstructed, except with probability 2^−η (again a union bound).
///
/// Against the malicious server the threshold must also be a majority of each neighbourhood beyond its
/// corrupted members, 2t > k + c (see `ConsistencyCheck`), so t ≥ ⌊(k + c)/2⌋ + 1 with c the
/// corrupted neighbours' high-probability bound; that variant also needs γ + 2δ ≤ 0.9 (the server may
/// pretend honest clients dropped), the semi-honest one γ + δ ≤ 0.9.
///
/// Google's open-source SecAgg server (`fcp/secagg/server/graph_parameter_finder.cc`, the paper's
/// authors' group) computes the same conditions with σ = 40 and η = 20; its published table is the
/// tests' oracle. We take the same σ and η by default.
package struct HararyParameters: Sendable, Equatable {
    /// Statistical security: a corrupt server learns more than the sum with probability below 2^−σ.
    package static let defaultSecurity = 40.0
    /// Correctness: an honest run fails to reconstruct with probability below 2^−η.
    package static let defaultCorrectness = 20.0
    /// The fraction of a cohort assumed corrupted (colluding with the server) unless a run says otherwise.
    package static let defaultCorruptionFraction = 0.05
    /// The least fraction of a cohort assumed to drop out; a run's configured dropout raises it.
    package static let defaultDropoutFraction = 0.05

    /// k, even, below n − 1.
    package var degree: Int
    /// The least threshold that meets the security conditions at this degree.
    package var threshold: Int
    /// The largest threshold that still meets the correctness bound at this degree (a run may raise
    /// `threshold` up to it, never past it).
    package var maximumThreshold: Int

    /// Why no Harary graph meets the bound (the caller then uses SecAgg's complete graph).
    package enum Infeasible: Error, Equatable, CustomStringConvertible {
        case fractions(corruption: Double, dropout: Double, threatModel: SecureAggregationThreatModel)
        case cohortTooSmall(clients: Int)

        package var description: String {
            switch self {
            case let .fractions(corruption, dropout, model):
                model == .maliciousServer
                    ? "corruption \(corruption) + 2 × dropout \(dropout) must be at most 0.9 against a malicious server"
                    : "corruption \(corruption) + dropout \(dropout) must be at most 0.9"
            case let .cohortTooSmall(clients):
                "no Harary graph on \(clients) clients meets the bound: use the complete graph (SecAgg)"
            }
        }
    }

    /// The smallest even degree below n − 1 that meets the bound, with the least threshold that does.
    /// - Parameters:
    ///   - corruption: γ, the fraction of the n clients assumed corrupted, in [0, 1).
    ///   - dropout: δ, the fraction assumed to drop out, in [0, 1).
    package static func smallest(clients n: Int, corruption γ: Double, dropout δ: Double,
                                 threatModel: SecureAggregationThreatModel,
                                 security σ: Double = defaultSecurity,
                                 correctness η: Double = defaultCorrectness) throws(Infeasible) -> HararyParameters {
        precondition((0..<1).contains(γ) && (0..<1).contains(δ), "fractions in [0, 1)")
        let malicious = threatModel == .maliciousServer
        guard (malicious ? γ + 2 * δ : γ + δ) <= 0.9 else {
            throw .fractions(corruption: γ, dropout: δ, threatModel: threatModel)
        }
        // A tiny slack keeps ⌊0.05 · 100⌋ at 5 despite the binary fraction.
        let corrupted = Int(((γ + 1e-14) * Double(n)).rounded(.down))
        let dropped = Int(((δ + 1e-14) * Double(n)).rounded(.down))
        let surviving = n - dropped
        let perEvent = -(σ + 1) * M_LN2
        var k = 2
        while k < n - 1 {
            defer { k += 2 }
            guard logDisconnection(clients: n, degree: k, bad: corrupted + dropped) < perEvent else { continue }
            // c: the least count whose exceedance has probability below 2^−(σ+1)/n for one client.
            let corruptTail = Hypergeometric(population: n, marked: corrupted, draws: k).upperTails()
            let securityLimit = exp(perEvent) / Double(n)
            guard let c = (0...k).first(where: { corruptTail[$0 + 1] < securityLimit }) else { continue }
            let least = max(malicious ? (k + c) / 2 + 1 : c + 1, 2)
            // The largest t with P[surviving neighbours < t] below 2^−η/n.
            let survivingCDF = Hypergeometric(population: n, marked: surviving, draws: k).lowerTails()
            let correctnessLimit = exp(-η * M_LN2) / Double(n)
            let most = (1...k).last(where: { survivingCDF[$0 - 1] < correctnessLimit }) ?? 0
            if least <= most { return HararyParameters(degree: k, threshold: least, maximumThreshold: most) }
        }
        throw .cohortTooSmall(clients: n)
    }

    /// The dropout fraction to assume when each of n clients drops independently with probability
    /// `rate`: d/n for the least d that Binomial(n, rate) exceeds with probability below 2^−η, so the
    /// assumption itself fails no more often than the bound's correctness allows (the round's
    /// failure probability is then below 2 · 2^−η).
    package static func dropoutFraction(clients n: Int, rate: Double, correctness η: Double = defaultCorrectness) -> Double {
        guard n > 0, rate > 0 else { return 0 }
        guard rate < 1 else { return 1 }
        let limit = exp(-η * M_LN2)
        var tail = 0.0  // P[X > d], summed down from d = n
        var d = n
        while d > 0 {
            let logChoose: Double = lgamma(Double(n + 1)) - lgamma(Double(d + 1)) - lgamma(Double(n - d + 1))
            let logPowers: Double = Double(d) * log(rate) + Double(n - d) * log(1 - rate)
            let mass = exp(logChoose + logPowers)
            if tail + mass >= limit { break }
            tail += mass
            d -= 1
        }
        return Double(d) / Double(n)
    }

    /// ln of the union bound on H(n, k) falling apart when `bad` clients (corrupted or dropped) are
    /// removed: two disjoint runs of k/2 consecutive clients must all be bad.
    package static func logDisconnection(clients n: Int, degree k: Int, bad: Int) -> Double {
        guard k <= bad else { return -.infinity }
        let pairs = log(Double(n)) + log(Double(n - k - 1)) - M_LN2
        // P[k given positions are all bad] = B!/(B−k)! · (n−k)!/n! (drawing without replacement).
        return pairs + lgamma(Double(bad + 1)) - lgamma(Double(bad - k + 1)) + lgamma(Double(n - k + 1)) - lgamma(Double(n + 1))
    }
}

/// The hypergeometric distribution: how many of `draws` distinct clients fall among `marked` of a
/// `population` (a client's neighbours under a random relabelling, against the corrupted or the
/// surviving clients).
package struct Hypergeometric: Sendable {
    package var population: Int
    package var marked: Int
    package var draws: Int

    /// `draws` distinct members of a `population` of which `marked` are marked.
    package init(population: Int, marked: Int, draws: Int) {
        (self.population, self.marked, self.draws) = (population, marked, draws)
    }

    /// P[X = x] for x in 0...draws (zero outside the support), from log-factorials.
    package func masses() -> [Double] {
        func logChoose(_ a: Int, _ b: Int) -> Double {
            lgamma(Double(a + 1)) - lgamma(Double(b + 1)) - lgamma(Double(a - b + 1))
        }
        let total = logChoose(population, draws)
        return (0...draws).map { x in
            guard x <= marked, draws - x <= population - marked else { return 0 }
            return exp(logChoose(marked, x) + logChoose(population - marked, draws - x) - total)
        }
    }

    /// P[X ≥ x] for x in 0...draws + 1, summed from the far end so small tails stay accurate.
    package func upperTails() -> [Double] {
        let p = masses()
        var tails = [Double](repeating: 0, count: draws + 2)
        for x in stride(from: draws, through: 0, by: -1) { tails[x] = tails[x + 1] + p[x] }
        return tails
    }

    /// P[X ≤ x] for x in 0...draws, summed from zero.
    package func lowerTails() -> [Double] {
        var sum = 0.0
        return masses().map { sum += $0; return sum }
    }
}
