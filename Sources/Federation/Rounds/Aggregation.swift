import Learning
import SecureAggregation

/// What the server knows while it processes round `round`'s updates.
package struct RoundContext: Sendable {
    package var round: Int
    package var seed: UInt64
    /// Users sampled this round, and the population they were drawn from.
    package var cohortSize: Int
    package var populationSize: Int
    /// The cohort size the sampling expects (public, unlike the realised size under Poisson sampling).
    package var expectedCohortSize: Double

    package init(round: Int, seed: UInt64, cohortSize: Int, populationSize: Int, expectedCohortSize: Double) {
        self.round = round
        self.seed = seed
        self.cohortSize = cohortSize
        self.populationSize = populationSize
        self.expectedCohortSize = expectedCohortSize
    }
}

/// The sum of a round's (processed) client updates and how to turn it into the average.
package struct Aggregate: Sendable {
    /// Σ weight · update, taken in cohort order.
    package var sum: ParameterSet
    /// Σ weight over contributing clients.
    package var totalWeight: Double
    /// Clients whose update entered the sum.
    package var contributors: Int
    /// What the sum is divided by to give the average update; starts as `totalWeight`. A central-DP
    /// stage sets it to the (public) expected cohort size, so the average does not leak the true weight.
    package var normaliser: Double
    /// How many contributors reported an update within the clip bound (adaptive clipping's count).
    package var countWithinClipBound: Double = 0

    package init(layout: ParameterLayout) {
        sum = ParameterSet(layout: layout)
        totalWeight = 0
        contributors = 0
        normaliser = 0
    }

    /// Counts a client whose update is in `sum` (the caller adds the update itself): its weight, and
    /// whether it was within the clip bound. Clients of weight 0 are not contributors.
    package mutating func count(weight: Double, withinClipBound: Bool?) {
        guard weight > 0 else { return }
        totalWeight += weight
        contributors += 1
        if withinClipBound == true { countWithinClipBound += 1 }
    }
}

/// Combines a round's processed client updates into an `Aggregate`: the plain weighted sum, or secure
/// aggregation's protocol (`SecureAggregationRound`), which the server sees only the sum of.
///
/// The round calls `submit` on each client's thread right after its client-side processing (where a
/// secure aggregator masks and sends), then `add` with every update strictly in cohort order (where a
/// plain sum adds, so floating-point sums are deterministic), then `finish` once.
package protocol UpdateAggregator: AnyObject {
    /// Whether the client at `position` is still in the round, so it trains (secure aggregation's
    /// clients can drop before training, at its key steps).
    func isTraining(_ position: Int) -> Bool
    /// Takes a client's processed update on that client's thread, in any order.
    func submit(_ update: ClientUpdate)
    /// Takes a client's processed update in cohort order.
    func add(_ update: ClientUpdate)
    /// The aggregate of the updates that made it, or nil if the aggregation failed (then the round
    /// changes nothing).
    func finish() -> Aggregate?
    /// What secure aggregation cost and who made it through (nil for the plain sum).
    var secureAggregationReport: SecureAggregationReport? { get }
}

/// The plain aggregator: Σ weight · delta in arrival (cohort) order, in single precision.
package final class WeightedSumAggregator: UpdateAggregator {
    private var aggregate: Aggregate

    package init(layout: ParameterLayout) {
        aggregate = Aggregate(layout: layout)
    }

    package func isTraining(_ position: Int) -> Bool { true }
    package func submit(_ update: ClientUpdate) {}
    package var secureAggregationReport: SecureAggregationReport? { nil }

    package func add(_ update: ClientUpdate) {
        guard update.weight > 0 else { return }
        aggregate.sum.axpy(Float(update.weight), update.delta)
        aggregate.count(weight: update.weight, withinClipBound: update.withinClipBound)
    }

    package func finish() -> Aggregate? {
        var result = aggregate
        result.normaliser = result.totalWeight
        return result
    }
}
