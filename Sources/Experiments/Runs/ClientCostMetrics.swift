import Federation
import Foundation

/// The `clients` part of a round's metrics line: what the cohort's tasks trained, held in memory and
/// sent, from each selected client's computed task cost (`ClientTaskCost`).
package struct ClientCostMetrics: Sendable, Equatable, Codable {
    /// Floats each client trains and sends (the whole model, or the PEU rows / LoRA adapters).
    package var trainedParameters: Int
    /// Over the costed clients: the peak memory of the task (bytes).
    package var peakMemoryBytes: ClientDistribution?
    /// One client's upload before and after secure aggregation's expansion, and its download (bytes).
    package var bytesUpPerClient: Int
    package var bytesUpMaskedPerClient: Int?
    package var bytesDownPerClient: Int
    /// Selected clients that refused a task over `clients.memoryLimitBytes` (without devices; with
    /// devices, `devices.classes.*.droppedForMemory` counts them).
    package var refusedForMemory: Int

    init?(_ result: RoundResult, secureAggregation: Bool) {
        guard let first = result.clientCosts.first else { return nil }
        trainedParameters = first.trainedParameters
        peakMemoryBytes = ClientDistribution(result.clientCosts.map { Double($0.peakMemoryBytes) })
        bytesUpPerClient = first.bytesUpPlain
        bytesUpMaskedPerClient = secureAggregation ? first.bytesUp : nil
        bytesDownPerClient = first.bytesDown
        refusedForMemory = result.refusedForMemory
    }
}

/// The `clients` part of `summary.json`: the largest task over the run and what one client sends.
package struct ClientCostSummary: Sendable, Equatable, Codable {
    package var trainedParameters: Int
    /// The largest peak memory of any costed client's task, and the median of the rounds' medians.
    package var maxPeakMemoryBytes: Double
    package var medianPeakMemoryBytes: Double
    package var bytesUpPerClient: Int
    package var bytesUpMaskedPerClient: Int?
    package var bytesDownPerClient: Int
    package var refusedForMemory: Int
    /// The mean over rounds of the aggregated update's signal-to-noise ratio (central Gaussian noise only).
    package var meanSignalToNoise: Double?

    init?(lines: [RoundMetrics]) {
        let rounds = lines.filter { $0.clients != nil }
        guard let first = rounds.first?.clients else { return nil }
        trainedParameters = first.trainedParameters
        let peaks = rounds.compactMap { $0.clients!.peakMemoryBytes }
        maxPeakMemoryBytes = peaks.map(\.max).max() ?? 0
        medianPeakMemoryBytes = ClientDistribution(peaks.map(\.median))?.median ?? 0
        bytesUpPerClient = first.bytesUpPerClient
        bytesUpMaskedPerClient = first.bytesUpMaskedPerClient
        bytesDownPerClient = first.bytesDownPerClient
        refusedForMemory = rounds.reduce(0) { $0 + $1.clients!.refusedForMemory }
        let ratios = lines.compactMap(\.signalToNoise)
        meanSignalToNoise = ratios.isEmpty ? nil : ratios.reduce(0, +) / Double(ratios.count)
    }
}
