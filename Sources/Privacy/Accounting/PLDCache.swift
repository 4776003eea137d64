import Synchronization

/// What the PLD accountant has computed, counted: a deterministic measure of its work (as swift-nio
/// counts allocations rather than timing them), so a test can show that the cost of one more round
/// does not grow with the ledger.
package struct AccountingWork: Sendable, Hashable {
    /// Single-event distributions discretised (each a pass of δ(ε) over its grid).
    package var distributionsBuilt = 0
    /// Forward or inverse FFTs run, in composition or self-composition.
    package var transforms = 0
    /// The largest FFT length used.
    package var largestTransform = 0
    /// Composed distributions answered from the cache instead of being recomputed.
    package var cacheHits = 0
}

/// The PLD accountant's memory of what it has built, shared by every copy of one accountant: the
/// single-event distributions per grid, and the composed distribution of the latest ledgers.
///
/// A run composes each round's event on a copy of its accountant and reads ε (PrivacyTracker), so
/// the copy finds the event's distribution already discretised, and reading δ after ε, or ε at a
/// second δ, reuses the composition. Entries are pure functions of their keys, so sharing them
/// between copies keeps the accountant a value.
package final class PLDCache: Sendable {
    /// Which distribution: a basic event in one direction on one grid.
    struct Key: Hashable {
        var event: DPEvent
        var direction: LossDirection
        var interval: Double
    }

    /// A composed ledger in one direction on one grid.
    struct LedgerKey: Hashable {
        var entries: [PLDAccountant.Entry]
        var direction: LossDirection
    }

    private struct State {
        var distributions: [Key: PrivacyLossDistribution] = [:]
        var order: [Key] = []
        var ledgers: [LedgerKey: PrivacyLossDistribution] = [:]
        var ledgerOrder: [LedgerKey] = []
        var work = AccountingWork()
    }

    /// Bounds on what is kept, oldest dropped first: a run uses one or two events on one or two grids.
    private static let distributionCapacity = 16, ledgerCapacity = 4
    private let state = Mutex(State())

    package init() {}

    /// The work counted so far.
    package var work: AccountingWork { state.withLock { $0.work } }

    func count(transforms: Int, length: Int) {
        state.withLock {
            $0.work.transforms += transforms
            $0.work.largestTransform = max($0.work.largestTransform, length)
        }
    }

    func distribution(_ key: Key, build: () throws(AccountingError) -> PrivacyLossDistribution)
        throws(AccountingError) -> PrivacyLossDistribution {
        if let found = state.withLock({ $0.distributions[key] }) { return found }
        let built = try build()
        state.withLock {
            $0.work.distributionsBuilt += 1
            if $0.distributions.updateValue(built, forKey: key) == nil { $0.order.append(key) }
            while $0.order.count > Self.distributionCapacity { $0.distributions[$0.order.removeFirst()] = nil }
        }
        return built
    }

    func ledger(_ key: LedgerKey, build: () throws(AccountingError) -> PrivacyLossDistribution)
        throws(AccountingError) -> PrivacyLossDistribution {
        if let found = state.withLock({ state -> PrivacyLossDistribution? in
            guard let found = state.ledgers[key] else { return nil }
            state.work.cacheHits += 1
            return found
        }) { return found }
        let built = try build()
        state.withLock {
            if $0.ledgers.updateValue(built, forKey: key) == nil { $0.ledgerOrder.append(key) }
            while $0.ledgerOrder.count > Self.ledgerCapacity { $0.ledgers[$0.ledgerOrder.removeFirst()] = nil }
        }
        return built
    }
}
