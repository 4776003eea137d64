import Dispatch
import Foundation
import Synchronization

/// Privacy-loss-distribution accountant: builds each event's discretised loss distribution
/// (connect-the-dots, pessimistic), composes them by FFT and reads (ε, δ) off the result — the tight
/// answer, up to the grid interval, where RDP gives an upper bound (Koskela, Jälkö, Honkela 2020;
/// Doroshenko et al. 2022; dp_accounting's `PLDAccountant`).
///
/// Under add/remove both directions are composed and the worse δ taken. Under replace-one it covers
/// Gaussian and Laplace noise, unsampled or on a fixed-size sample drawn without replacement.
package struct PLDAccountant: PrivacyAccountant, Sendable {
    package let relation: NeighbouringRelation
    /// Grid spacing of the loss distributions, in nats (dp_accounting's default).
    package let interval: Double
    /// Mass each truncation may move; far below any δ of interest.
    package let tailMass: Double
    package private(set) var ledger: [DPEvent] = []

    package init(relation: NeighbouringRelation = .addOrRemoveOne, interval: Double = 1e-4, tailMass: Double = 1e-15) {
        self.relation = relation
        self.interval = interval
        self.tailMass = tailMass
    }

    package mutating func compose(_ event: DPEvent, count: Int = 1) throws(AccountingError) {
        guard count >= 0 else { throw .invalidParameter("a composition count must be non-negative, got \(count)") }
        try check(event)
        ledger.appendFolded(event, count: count)
    }

    package func epsilon(delta: Double) throws(AccountingError) -> Double {
        try RDPAccountant.checkDelta(delta)
        return try distributions().map { $0.epsilon(delta: delta) }.max() ?? 0
    }

    package func delta(epsilon: Double) throws(AccountingError) -> Double {
        guard epsilon >= 0 else { throw .invalidParameter("ε must be non-negative, got \(epsilon)") }
        return try distributions().map { $0.delta(epsilon: epsilon) }.max() ?? 0
    }

    /// The composed distribution of the whole ledger in each direction the relation needs.
    package func distributions() throws(AccountingError) -> [PrivacyLossDistribution] {
        let directions: [LossDirection] = relation == .addOrRemoveOne ? [.removal, .addition] : [.removal]
        // The directions are independent: compose them side by side.
        let results = Mutex<[Int: Result<PrivacyLossDistribution, AccountingError>]>([:])
        DispatchQueue.concurrentPerform(iterations: directions.count) { index in
            let outcome = Result { () throws(AccountingError) -> PrivacyLossDistribution in
                var total = PrivacyLossDistribution.identity(interval: interval)
                for event in ledger {
                    total = total.composed(with: try distribution(of: event, direction: directions[index]), tailMass: tailMass)
                }
                return total
            }
            results.withLock { $0[index] = outcome }
        }
        return try results.withLock { all throws(AccountingError) in
            try directions.indices.map { index throws(AccountingError) in try all[index]!.get() }
        }
    }

    /// The distribution of `event`, composing nested events recursively.
    private func distribution(of event: DPEvent, direction: LossDirection) throws(AccountingError) -> PrivacyLossDistribution {
        switch event {
        case let .selfComposed(inner, count):
            return try distribution(of: inner, direction: direction).selfComposed(count: count, tailMass: tailMass)
        case let .composed(events):
            var result = PrivacyLossDistribution.identity(interval: interval)
            for inner in events {
                result = result.composed(with: try distribution(of: inner, direction: direction), tailMass: tailMass)
            }
            return result
        default:
            return try basicDistribution(of: event, direction: direction)
        }
    }

    /// One run of a basic (possibly sampled) mechanism.
    private func basicDistribution(of event: DPEvent, direction: LossDirection) throws(AccountingError) -> PrivacyLossDistribution {
        switch (relation, event) {
        case let (.addOrRemoveOne, .gaussian(z)):
            return try make(SubsampledGaussianLoss(noiseMultiplier: z, probability: 1, direction: direction))
        case let (.addOrRemoveOne, .laplace(b)):
            return try make(SubsampledLaplaceLoss(scale: b, probability: 1, direction: direction))
        case let (.addOrRemoveOne, .poissonSampled(q, .gaussian(z))):
            return q == 0 ? .identity(interval: interval)
                : try make(SubsampledGaussianLoss(noiseMultiplier: z, probability: q, direction: direction))
        case let (.addOrRemoveOne, .poissonSampled(q, .laplace(b))):
            return q == 0 ? .identity(interval: interval)
                : try make(SubsampledLaplaceLoss(scale: b, probability: q, direction: direction))
        case let (.replaceOne, .gaussian(z)):
            return try make(SampledWithoutReplacementGaussianLoss(noiseMultiplier: z, probability: 1))
        case let (.replaceOne, .laplace(b)):
            // Replacing a user moves the sum by up to twice the bound: Laplace of half the scale.
            return try make(SubsampledLaplaceLoss(scale: b / 2, probability: 1, direction: direction))
        case let (.replaceOne, .sampledWithoutReplacement(m, n, .gaussian(z))):
            return m == 0 ? .identity(interval: interval)
                : try make(SampledWithoutReplacementGaussianLoss(noiseMultiplier: z, probability: Double(m) / Double(n)))
        default:
            throw unsupported(event)
        }
    }

    private func make(_ pair: some PrivacyLossPair) throws(AccountingError) -> PrivacyLossDistribution {
        try PrivacyLossDistribution(pair: pair, interval: interval, tailMass: tailMass)
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
