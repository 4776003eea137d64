import Learning

/// What the server knows while it processes round `round`'s updates.
package struct RoundContext: Sendable {
    package var round: Int
    package var seed: UInt64
    /// Users sampled this round, and the population they were drawn from.
    package var cohortSize: Int
    package var populationSize: Int
    /// The cohort size the sampling expects (public, unlike the realised size under Poisson sampling).
    package var expectedCohortSize: Double
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

/// A step applied to each client's update on the client, before it is sent: clipping, local noise,
/// quantisation. Stages run in order, on the client's thread; they must be deterministic functions of
/// the update and of streams keyed by (context.seed, round, user).
package protocol ClientUpdateStage: Sendable {
    func process(_ update: inout ClientUpdate, context: RoundContext) throws
}

/// A step applied by the server to the aggregate before the central optimizer: central noise, decoding.
package protocol AggregateStage: Sendable {
    func process(_ aggregate: inout Aggregate, context: RoundContext) throws
}

/// Combines processed client updates into an `Aggregate`. It receives updates strictly in cohort order
/// (the round driver guarantees it), so a plain floating-point sum is deterministic; secure aggregation
/// replaces this step with its protocol over the same updates.
package protocol UpdateAggregator: AnyObject {
    func add(_ update: ClientUpdate) throws
    func finish() throws -> Aggregate
}

/// The seam where privacy and secure aggregation plug into a round (DESIGN.md, "Data flow of one round"):
/// client stages → aggregator → aggregate stages. The default is the plain, non-private path.
package struct UpdatePipeline: Sendable {
    package var clientStages: [any ClientUpdateStage] = []
    package var aggregateStages: [any AggregateStage] = []
    /// The differential-privacy step, when there is one: its client half runs before the other client
    /// stages and its server half after the other aggregate stages (pfl's postprocessor order), and the
    /// round records the privacy event it reports.
    package var privacy: DifferentialPrivacy?
    /// Secure aggregation, when the run has it: it replaces the aggregator with the protocol, after
    /// all client stages (clients mask what they would otherwise have sent) and before all aggregate
    /// stages (the server sees only the sum).
    package var secureAggregation: SecureAggregationConfiguration?
    /// Makes the aggregator for one round.
    package var makeAggregator: @Sendable (ParameterLayout, RoundContext) -> any UpdateAggregator = { layout, _ in
        WeightedSumAggregator(layout: layout)
    }

    package init(privacy: DifferentialPrivacy? = nil, secureAggregation: SecureAggregationConfiguration? = nil) {
        self.privacy = privacy
        self.secureAggregation = secureAggregation
    }
}

/// The plain aggregator: Σ weight · delta in arrival (cohort) order, in single precision.
package final class WeightedSumAggregator: UpdateAggregator {
    private var aggregate: Aggregate

    package init(layout: ParameterLayout) {
        aggregate = Aggregate(layout: layout)
    }

    package func add(_ update: ClientUpdate) {
        guard update.weight > 0 else { return }
        aggregate.sum.axpy(Float(update.weight), update.delta)
        aggregate.count(weight: update.weight, withinClipBound: update.withinClipBound)
    }

    package func finish() -> Aggregate {
        var result = aggregate
        result.normaliser = result.totalWeight
        return result
    }
}
