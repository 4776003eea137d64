import Dispatch
import Foundation
import Kernels
import Synchronization

/// Privacy-loss-distribution accountant: builds each event's discretised loss distribution
/// (connect-the-dots, pessimistic), composes them by FFT and reads (ε, δ) off the result — the tight
/// answer, up to the grid interval, where RDP gives an upper bound (Koskela, Jälkö, Honkela 2020;
/// Doroshenko et al. 2022; dp_accounting's `PLDAccountant`).
///
/// Under add/remove both directions are composed and the worse δ taken. Under replace-one it covers
/// Gaussian and Laplace noise, unsampled or on a fixed-size sample drawn without replacement.
///
/// Fast in every regime (docs/privacy.md, "Accounting speed"): the unsampled Gaussian runs compose in
/// closed form (`AnalyticGaussian`); each other event is discretised once and self-composed by one
/// FFT power over the Chernoff window of its actual support; and when that window would pass
/// `maximumWindow` bins the grid coarsens by powers of two (a coarser connect-the-dots grid is still
/// pessimistic, and the ε it costs is second order in the interval). One more round therefore costs
/// the same at round 2000 as at round 2, and the distributions built are cached across copies.
package struct PLDAccountant: PrivacyAccountant, Sendable {
    package let relation: NeighbouringRelation
    /// Grid spacing of the loss distributions, in nats (dp_accounting's default): the finest used.
    package let interval: Double
    /// Mass each truncation may move; far below any δ of interest.
    package let tailMass: Double
    /// The most grid points a composed distribution may span before the interval doubles.
    package let maximumWindow: Int
    package private(set) var ledger: [DPEvent] = []
    /// Shared by copies: see `PLDCache`.
    private let cache = PLDCache()

    package init(relation: NeighbouringRelation = .addOrRemoveOne, interval: Double = 1e-4, tailMass: Double = 1e-15,
                 maximumWindow: Int = 1 << 20) {
        self.relation = relation
        self.interval = interval
        self.tailMass = tailMass
        self.maximumWindow = maximumWindow
    }

    /// What this accountant (and its copies) computed so far, for tests of its cost.
    package var work: AccountingWork { cache.work }

    package mutating func compose(_ event: DPEvent, count: Int = 1) throws(AccountingError) {
        guard count >= 0 else { throw .invalidParameter("a composition count must be non-negative, got \(count)") }
        try check(event)
        ledger.appendFolded(event, count: count)
    }

    package func epsilon(delta: Double) throws(AccountingError) -> Double {
        try RDPAccountant.checkDelta(delta)
        let (gaussian, entries) = reduced()
        if entries.isEmpty { return gaussian.epsilon(delta: delta) }
        return try distributions().map { $0.epsilon(delta: delta) }.max() ?? 0
    }

    package func delta(epsilon: Double) throws(AccountingError) -> Double {
        guard epsilon >= 0 else { throw .invalidParameter("ε must be non-negative, got \(epsilon)") }
        let (gaussian, entries) = reduced()
        if entries.isEmpty { return gaussian.delta(epsilon: epsilon) }
        return try distributions().map { $0.delta(epsilon: epsilon) }.max() ?? 0
    }

    /// A basic event and how many times the ledger runs it.
    package struct Entry: Sendable, Hashable {
        package var event: DPEvent
        package var count: Int
    }

    /// The ledger reduced to what its privacy depends on: all unsampled Gaussian runs as one Gaussian
    /// (their μ² add up), and every other basic event once, with its total count, in order of first
    /// appearance. Events that sample nobody drop out.
    package func reduced() -> (gaussian: AnalyticGaussian, entries: [Entry]) {
        var muSquared = 0.0
        var entries: [Entry] = [], position: [DPEvent: Int] = [:]
        func add(_ event: DPEvent, _ count: Int) {
            if count == 0 { return }
            switch (relation, event) {
            case let (_, .selfComposed(inner, repeats)): add(inner, count * repeats)
            case let (_, .composed(events)): for inner in events { add(inner, count) }
            case (_, .poissonSampled(0, _)), (_, .sampledWithoutReplacement(0, _, _)): return
            case let (.addOrRemoveOne, .gaussian(z)), let (.addOrRemoveOne, .poissonSampled(1, .gaussian(z))):
                muSquared += Double(count) / (z * z)
            case let (.replaceOne, .gaussian(z)):
                // Replacing a user moves the sum by up to twice the bound.
                muSquared += Double(count) * 4 / (z * z)
            case let (.replaceOne, .sampledWithoutReplacement(m, n, .gaussian(z))) where m == n:
                muSquared += Double(count) * 4 / (z * z)
            default:
                if let index = position[event] {
                    entries[index].count += count
                } else {
                    position[event] = entries.count
                    entries.append(Entry(event: event, count: count))
                }
            }
        }
        for event in ledger { add(event, 1) }
        return (AnalyticGaussian(mu: muSquared.squareRoot()), entries)
    }

    /// The composed distribution of the whole ledger in each direction the relation needs (the
    /// unsampled Gaussian part discretised too).
    package func distributions() throws(AccountingError) -> [PrivacyLossDistribution] {
        let directions: [LossDirection] = relation == .addOrRemoveOne ? [.removal, .addition] : [.removal]
        let (gaussian, others) = reduced()
        let z = relation == .addOrRemoveOne ? 1 / gaussian.mu : 2 / gaussian.mu
        let entries = gaussian.mu > 0 ? [Entry(event: .gaussian(noiseMultiplier: z), count: 1)] + others : others
        // The directions are independent: compose them side by side.
        let results = Mutex<[Int: Result<PrivacyLossDistribution, AccountingError>]>([:])
        DispatchQueue.concurrentPerform(iterations: directions.count) { index in
            let outcome = Result { () throws(AccountingError) -> PrivacyLossDistribution in
                try cache.ledger(PLDCache.LedgerKey(entries: entries, direction: directions[index])) { () throws(AccountingError) in
                    try composition(of: entries, direction: directions[index])
                }
            }
            results.withLock { $0[index] = outcome }
        }
        return try results.withLock { all throws(AccountingError) in
            try directions.indices.map { index throws(AccountingError) in try all[index]!.get() }
        }
    }

    /// The entries composed in one direction, on the finest grid (interval × 2^k) whose composed window
    /// fits in `maximumWindow` bins.
    private func composition(of entries: [Entry], direction: LossDirection) throws(AccountingError) -> PrivacyLossDistribution {
        if entries.isEmpty { return .identity(interval: interval) }
        // Start where each single distribution fits (from its loss bounds, without building it).
        var singleWidth = 0.0
        for entry in entries {
            let bounds = try pair(of: entry.event, direction: direction).lossBounds(tailMass: tailMass)
            singleWidth = max(singleWidth, bounds.upper - bounds.lower)
        }
        var scale = 1.0
        while singleWidth / (interval * scale) > Double(maximumWindow) { scale *= 2 }
        while true {
            var window = 0
            for entry in entries {
                window += try single(entry.event, direction: direction, interval: interval * scale).windowWidth(count: entry.count, tailMass: tailMass)
            }
            if window <= maximumWindow { break }
            scale *= Double(FFTPlan.size(atLeast: (window + maximumWindow - 1) / maximumWindow))
        }
        var result = PrivacyLossDistribution.identity(interval: interval * scale)
        for entry in entries {
            let one = try single(entry.event, direction: direction, interval: interval * scale)
            result = result.composed(with: one.selfComposed(count: entry.count, tailMass: tailMass, work: cache),
                                     tailMass: tailMass, work: cache)
        }
        return result
    }

    /// One run of `event` on a grid of `interval`, from the cache when a copy of this accountant built it.
    private func single(_ event: DPEvent, direction: LossDirection, interval: Double) throws(AccountingError) -> PrivacyLossDistribution {
        try cache.distribution(PLDCache.Key(event: event, direction: direction, interval: interval)) { () throws(AccountingError) in
            try PrivacyLossDistribution(pair: try pair(of: event, direction: direction), interval: interval, tailMass: tailMass)
        }
    }

    /// The dominating pair of one run of a basic (possibly sampled) mechanism.
    private func pair(of event: DPEvent, direction: LossDirection) throws(AccountingError) -> any PrivacyLossPair {
        switch (relation, event) {
        case let (.addOrRemoveOne, .gaussian(z)):
            return SubsampledGaussianLoss(noiseMultiplier: z, probability: 1, direction: direction)
        case let (.addOrRemoveOne, .laplace(b)):
            return SubsampledLaplaceLoss(scale: b, probability: 1, direction: direction)
        case let (.addOrRemoveOne, .poissonSampled(q, .gaussian(z))):
            return SubsampledGaussianLoss(noiseMultiplier: z, probability: q, direction: direction)
        case let (.addOrRemoveOne, .poissonSampled(q, .laplace(b))):
            return SubsampledLaplaceLoss(scale: b, probability: q, direction: direction)
        case let (.replaceOne, .gaussian(z)):
            return SampledWithoutReplacementGaussianLoss(noiseMultiplier: z, probability: 1)
        case let (.replaceOne, .laplace(b)):
            // Replacing a user moves the sum by up to twice the bound: Laplace of half the scale.
            return SubsampledLaplaceLoss(scale: b / 2, probability: 1, direction: direction)
        case let (.replaceOne, .sampledWithoutReplacement(m, n, .gaussian(z))):
            return SampledWithoutReplacementGaussianLoss(noiseMultiplier: z, probability: Double(m) / Double(n))
        default:
            throw unsupported(event)
        }
    }

    private func unsupported(_ event: DPEvent) -> AccountingError {
        let hint: String
        switch (relation, event) {
        case (.addOrRemoveOne, .sampledWithoutReplacement):
            hint = "a fixed-size cohort is analysed under replace-one; use Poisson sampling for add/remove"
        case (.replaceOne, .poissonSampled):
            hint = "Poisson sampling is analysed under add/remove"
        case (_, .distributedDiscreteGaussian), (_, .skellam), (_, .poissonSampled(_, .distributedDiscreteGaussian)),
             (_, .poissonSampled(_, .skellam)):
            hint = "use the rdp accountant for the integer mechanisms"
        default:
            hint = "it covers Gaussian and Laplace noise, unsampled, Poisson-sampled (add/remove) or sampled without replacement (replace-one)"
        }
        return .unsupported(event: event.summary, accountant: "pld (\(relation.rawValue))", hint: hint)
    }

    /// Validates an event without building anything, so `compose` can refuse before changing state.
    private func check(_ event: DPEvent) throws(AccountingError) {
        switch event {
        case let .selfComposed(inner, count):
            guard count >= 0 else { throw .invalidParameter("a composition count must be non-negative, got \(count)") }
            try check(inner)
        case let .composed(events):
            for inner in events { try check(inner) }
        case let .gaussian(z), let .laplace(z):
            guard z >= 0 else { throw .invalidParameter("a noise multiplier must be non-negative, got \(z)") }
            if z == 0 { throw .invalidParameter("a noise multiplier of 0 gives ε = ∞") }
        case let .poissonSampled(q, inner) where relation == .addOrRemoveOne:
            guard q >= 0, q <= 1 else { throw .invalidParameter("a sampling probability must be in [0, 1], got \(q)") }
            switch inner {
            case .gaussian, .laplace: try check(inner)
            default: throw unsupported(event)
            }
        case let .sampledWithoutReplacement(m, n, inner) where relation == .replaceOne:
            guard n > 0, m >= 0, m <= n else { throw .invalidParameter("a sample of \(m) from \(n) users is impossible") }
            guard case .gaussian = inner else { throw unsupported(event) }
            try check(inner)
        default:
            throw unsupported(event)
        }
    }
}
