import Foundation

/// What a private computation did, as data: the accountants compose these, the server records one per
/// round as it actually ran, and the ledger of them goes into the checkpoint.
///
/// Noise parameters are in units of the sensitivity: a Gaussian event's `noiseMultiplier` is the
/// noise standard deviation divided by the L2 sensitivity (the clip bound). The shape follows
/// dp_accounting's `dp_event.py`, so a reader of either recognises the other.
package indirect enum DPEvent: Sendable, Hashable, Codable {
    /// Gaussian noise of standard deviation `noiseMultiplier` × L2 sensitivity.
    case gaussian(noiseMultiplier: Double)
    /// Laplace noise of scale `noiseMultiplier` × L1 sensitivity.
    case laplace(noiseMultiplier: Double)
    /// The sum of `clients` independent discrete Gaussians, each of standard deviation
    /// `localStandardDeviation` in integer units, over a `dimension`-long integer vector whose L1 and
    /// L2 sensitivities are given in the same units (Kairouz, Liu, Steinke 2021).
    case distributedDiscreteGaussian(localStandardDeviation: Double, clients: Int, dimension: Int,
                                     l1Sensitivity: Double, l2Sensitivity: Double)
    /// Skellam noise of total variance `variance` per coordinate (the sum of the clients' shares, which
    /// is again Skellam), over integer vectors with the given sensitivities (Agarwal, Kairouz, Liu 2021).
    case skellam(variance: Double, l1Sensitivity: Double, l2Sensitivity: Double)
    /// `event` run on a Poisson sample: each user is included independently with `probability`.
    case poissonSampled(probability: Double, event: DPEvent)
    /// `event` run on `sampleSize` users drawn without replacement from `populationSize`.
    case sampledWithoutReplacement(sampleSize: Int, populationSize: Int, event: DPEvent)
    /// `event` run `count` times.
    case selfComposed(event: DPEvent, count: Int)
    /// Each event run once, in order.
    case composed([DPEvent])

    /// A short human description, e.g. "poisson(q=0.005, gaussian(z=1.1)) × 300".
    package var summary: String {
        func number(_ value: Double) -> String { String(format: "%.6g", value) }
        switch self {
        case let .gaussian(z): return "gaussian(z=\(number(z)))"
        case let .laplace(b): return "laplace(b=\(number(b)))"
        case let .distributedDiscreteGaussian(sigma, clients, dimension, _, l2):
            return "distributedDiscreteGaussian(σ=\(number(sigma)), n=\(clients), d=\(dimension), Δ₂=\(number(l2)))"
        case let .skellam(variance, _, l2): return "skellam(μ=\(number(variance)), Δ₂=\(number(l2)))"
        case let .poissonSampled(q, event): return "poisson(q=\(number(q)), \(event.summary))"
        case let .sampledWithoutReplacement(m, n, event): return "withoutReplacement(\(m) of \(n), \(event.summary))"
        case let .selfComposed(event, count): return "\(event.summary) × \(count)"
        case let .composed(events): return "[" + events.map(\.summary).joined(separator: ", ") + "]"
        }
    }
}

/// Which datasets count as neighbours: the unit of privacy is one user, who is either added or
/// removed, or replaced by another. ε under replacement is about twice ε under add/remove for the
/// same noise, so every reported ε names its relation.
package enum NeighbouringRelation: String, Sendable, Hashable, Codable, CaseIterable {
    /// D' = D with one user added or removed (Poisson sampling's natural relation).
    case addOrRemoveOne
    /// D' = D with one user's data replaced (the relation under which a fixed-size cohort is analysed).
    case replaceOne
}

/// Why an accountant cannot answer. Thrown before any state changes.
package enum AccountingError: Error, Equatable, CustomStringConvertible {
    case unsupported(event: String, accountant: String, hint: String)
    case invalidParameter(String)
    /// The privacy loss range is too wide to discretise at the requested interval.
    case distributionTooWide(bins: Int, hint: String)

    package var description: String {
        switch self {
        case let .unsupported(event, accountant, hint): return "the \(accountant) accountant cannot account for \(event); \(hint)"
        case let .invalidParameter(message): return message
        case let .distributionTooWide(bins, hint): return "the privacy loss distribution would need \(bins) bins; \(hint)"
        }
    }
}

/// Something that turns composed events into (ε, δ).
package protocol PrivacyAccountant {
    /// The events composed so far, in order, with repeats folded into `selfComposed`.
    var ledger: [DPEvent] { get }
    /// Adds `event` run `count` times. Throws, and changes nothing, if the event is not supported.
    mutating func compose(_ event: DPEvent, count: Int) throws(AccountingError)
    /// The smallest ε such that the composition is (ε, δ)-DP; `.infinity` if none is.
    func epsilon(delta: Double) throws(AccountingError) -> Double
    /// The smallest δ such that the composition is (ε, δ)-DP.
    func delta(epsilon: Double) throws(AccountingError) -> Double
}

extension Array where Element == DPEvent {
    /// Appends `event` × `count`, merging with the last entry when it is the same event.
    package mutating func appendFolded(_ event: DPEvent, count: Int) {
        if case let .selfComposed(last, lastCount)? = self.last, last == event {
            self[endIndex - 1] = .selfComposed(event: event, count: lastCount + count)
        } else {
            append(.selfComposed(event: event, count: count))
        }
    }
}
