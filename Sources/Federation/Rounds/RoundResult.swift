import Privacy
import SecureAggregation

/// What one round did, for the metrics line. Built once, when the round is over.
package struct RoundResult: Sendable, Equatable {
    package var round: Int
    package var sampled: Int
    /// Clients whose update entered the aggregate (sampled minus those with no data or dropped).
    package var contributed: Int
    package var statistics: ClientStatistics
    package var learningRate: Float
    /// L2 norm of the average update the server applied.
    package var updateNorm: Double
    /// Bytes one client downloads (the model) and uploads (its update), as 32-bit floats.
    package var bytesDownPerClient: Int
    package var bytesUpPerClient: Int
    /// Each costed client's task cost (every selected client's), in cohort order.
    package var clientCosts: [ClientTaskCost]
    /// Each selected client's fate, in cohort order (without devices: reported, or refused for memory).
    package var fates: [ClientFate]
    /// That average's norm before the central noise was added (runs with central noise): beside
    /// `updateNorm`, how much of the server's pseudo-gradient is noise.
    package var updateNormBeforeNoise: Double? = nil
    /// Each tensor's client update norm before clipping, over the cohort (runs that record them).
    package var clientUpdateNorms: [TensorNormSummary]? = nil
    /// ‖Σ clipped updates‖ over the expected norm of the central noise added to that sum, σ·C·√d: the
    /// aggregated update's signal-to-noise ratio (runs with central Gaussian noise).
    package var signalToNoise: Double?
    /// What the round spent, for the accountant (nil without DP); and the event of the run as performed
    /// when it differs (a noise cohort accounts for a simulated cohort).
    package var privacyEvent: DPEvent?
    package var privacyEventAsRun: DPEvent?
    /// ε spent by the rounds released so far, this one included (runs with differential privacy).
    package var epsilon: Double?
    /// ε of those rounds as they actually ran, when it differs from `epsilon` (a noise cohort: the real,
    /// smaller cohort with the scaled-down noise); nil otherwise.
    package var epsilonAsRun: Double?
    /// Whether the budget would refuse a next round like this one, so this is the run's last.
    package var budgetExhausted: Bool
    /// The clip bound for the next round (it moves under adaptive clipping).
    package var clipBound: Double?
    /// What secure aggregation cost and who made it through (nil without it). When it failed, the
    /// round changed nothing: no update, no privacy spent.
    package var secureAggregation: SecureAggregationReport?
    /// The round in simulated time: who was available and selected, and each one's fate (runs with devices).
    package var schedule: RoundSchedule?

    /// Selected clients that refused their task because it would not fit `client.memoryLimitBytes`,
    /// without devices (with devices, the schedule's fates count them by device class).
    package var refusedForMemory: Int {
        schedule == nil ? fates.count { $0 == .droppedForMemory } : 0
    }

    /// Sampled clients whose update did not reach the aggregate because they dropped out (or, with
    /// devices, were refused, too slow, offline or late).
    package var dropped: Int {
        if let report = secureAggregation { return report.clients - report.survivors(at: .maskedInput) }
        return fates.count { $0 != .reported }
    }

    /// Sampled clients that dropped before they could train (at advertiseKeys or shareKeys).
    package var droppedBeforeTraining: Int {
        guard let report = secureAggregation else { return 0 }
        return report.clients - report.survivors(at: .shareKeys)
    }
}
