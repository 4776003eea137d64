import Federation
import SecureAggregation

/// The secure-aggregation part of a metrics line: who made it through each step, what the protocol
/// cost the cohort's clients (median and worst) and the server, and why a failed round failed.
package struct SecureAggregationMetrics: Sendable, Equatable, Codable {
    /// Clients the server heard from validly at advertiseKeys, shareKeys, maskedInput and unmasking.
    package var survivors: [Int]
    package var failure: String?
    package var rejectedMessages: Int
    /// Over the clients that took part: bytes sent and received, and CPU seconds in the protocol.
    package var bytesSentMedian: Int
    package var bytesSentMax: Int
    package var bytesReceivedMedian: Int
    package var bytesReceivedMax: Int
    package var clientSecondsMedian: Double
    package var clientSecondsMax: Double
    package var serverSeconds: Double

    /// The line's figures from one round's report (medians and maxima over the clients that took part).
    package init(_ report: SecureAggregationReport) {
        survivors = report.survivors
        failure = report.failure
        rejectedMessages = report.rejectedMessages
        let active = report.bytesSent.indices.filter { report.bytesSent[$0] > 0 }
        func median<T: Comparable>(_ values: [T], _ zero: T) -> T { values.isEmpty ? zero : values.sorted()[values.count / 2] }
        let sent = active.map { report.bytesSent[$0] }, received = active.map { report.bytesReceived[$0] }
        let seconds = active.map { report.clientComputeSeconds[$0] }
        bytesSentMedian = median(sent, 0)
        bytesSentMax = sent.max() ?? 0
        bytesReceivedMedian = median(received, 0)
        bytesReceivedMax = received.max() ?? 0
        clientSecondsMedian = median(seconds, 0)
        clientSecondsMax = seconds.max() ?? 0
        serverSeconds = report.serverComputeSeconds
    }

    /// The clients the server heard from validly at `step`.
    package func survivors(at step: SecureAggregationStep) -> Int { survivors[step.rawValue] }
}

/// Secure aggregation over a whole run, for `summary.json`.
package struct SecureAggregationSummary: Sendable, Equatable, Codable {
    package var protocolKind: SecureAggregationConfiguration.ProtocolKind
    package var rounds: Int
    /// Rounds in which too few clients survived, so nothing was learned (nor privacy spent).
    package var failedRounds: Int
    /// Clients sampled whose input did not reach a sum, over the run.
    package var clientsDropped: Int
    package var rejectedMessages: Int
    /// Means over rounds of the per-round medians, and the run's worst client.
    package var clientSecondsMedian: Double
    package var clientSecondsMax: Double
    package var serverSecondsPerRound: Double
    package var bytesSentPerClient: Int
    package var bytesReceivedPerClient: Int

    /// The run's figures from its metrics lines.
    package init(protocolKind: SecureAggregationConfiguration.ProtocolKind, lines: [RoundMetrics]) {
        let rounds = lines.compactMap { line in line.secureAggregation.map { (line, $0) } }
        func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
        self.protocolKind = protocolKind
        self.rounds = rounds.count
        failedRounds = rounds.filter { $0.1.failure != nil }.count
        clientsDropped = rounds.reduce(0) { $0 + $1.0.clientsDropped }
        rejectedMessages = rounds.reduce(0) { $0 + $1.1.rejectedMessages }
        clientSecondsMedian = mean(rounds.map(\.1.clientSecondsMedian))
        clientSecondsMax = rounds.map(\.1.clientSecondsMax).max() ?? 0
        serverSecondsPerRound = mean(rounds.map(\.1.serverSeconds))
        bytesSentPerClient = Int(mean(rounds.map { Double($0.1.bytesSentMedian) }))
        bytesReceivedPerClient = Int(mean(rounds.map { Double($0.1.bytesReceivedMedian) }))
    }
}
