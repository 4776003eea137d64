import Federation
import Foundation

/// `summary.json`: the run's outcome at a glance, for any task.
///
/// It begins with its format and version, which `read(from:)` checks before anything else (STYLE.md
/// habit 17), and names the task's metrics, so tables and reports drawn from the file alone know which
/// metric is primary and which way is better.
package struct RunSummary: Sendable, Equatable, Codable {
    package static let currentFormat = "murmur-summary"
    package static let currentVersion = 2

    package var format = RunSummary.currentFormat
    package var version = RunSummary.currentVersion
    package var name: String
    package var roundsCompleted: Int
    /// Why the run ended: all its rounds, the privacy budget, the trace, or an interruption (which
    /// `--resume` continues).
    package var ending: RunEnding
    package var parameters: Int
    package var threads: Int
    /// The task's metrics, the primary one first.
    package var metrics: [TaskMetric]
    /// Each metric at the last evaluation, and its best over the run's evaluations (nil: never evaluated).
    package var finalMetrics: [String: Double]?
    package var bestMetrics: [String: Double]?
    /// Values the task reaches without federated training (a language task's unigram perplexity).
    package var baselines: [TaskBaseline]
    package var trainingWallSeconds: Double
    package var roundsPerSecond: Double
    /// Loss targets (tokens, characters) the clients trained on per wall-clock second.
    package var clientTargetsPerSecond: Double
    package var bytesUp: Int
    package var bytesDown: Int
    /// The privacy spent and how it was computed (runs with differential privacy).
    package var privacy: PrivacySummary?
    /// Secure aggregation's failures, dropouts and costs (runs with it).
    package var secureAggregation: SecureAggregationSummary?
    /// Simulated time and each device class's participation (runs with devices).
    package var devices: DeviceSummary?
    /// When the target metric was first reached (scenarios with `evaluation.target`).
    package var timeToTarget: TimeToTarget?
    /// What the clients' tasks trained, held in memory and sent over the run.
    package var clients: ClientCostSummary?
    /// The empirical privacy audit's exposure and ε lower bound (runs with `privacy.audit`).
    package var audit: CanaryAuditResult?

    /// The summary of a run's metrics lines (one read of metrics.jsonl); the caller adds the sections
    /// of privacy, secure aggregation and devices.
    init(name: String, lines: [RoundMetrics], roundsCompleted: Int, ending: RunEnding, parameters: Int, threads: Int,
         metrics: [TaskMetric], baselines: [TaskBaseline]) {
        self.name = name
        self.roundsCompleted = roundsCompleted
        self.ending = ending
        self.parameters = parameters
        self.threads = threads
        self.metrics = metrics
        self.baselines = baselines
        let evaluated = lines.compactMap(\.evaluation)
        finalMetrics = evaluated.last
        if !evaluated.isEmpty {
            var best: [String: Double] = [:]
            for metric in metrics {
                let values = evaluated.compactMap { $0[metric.name] }
                if let first = values.first { best[metric.name] = values.dropFirst().reduce(first, metric.better) }
            }
            bestMetrics = best
        }
        let wall = lines.reduce(0) { $0 + $1.wallSeconds }
        let targets = lines.reduce(0) { $0 + $1.trainingTargets }
        trainingWallSeconds = wall
        roundsPerSecond = wall > 0 ? Double(roundsCompleted) / wall : 0
        clientTargetsPerSecond = wall > 0 ? Double(targets) / wall : 0
        bytesUp = lines.reduce(0) { $0 + $1.bytesUp }
        bytesDown = lines.reduce(0) { $0 + $1.bytesDown }
        clients = ClientCostSummary(lines: lines)
    }

    /// The metric the run is ranked by.
    package var primaryMetric: TaskMetric { metrics[0] }

    /// The primary metric at the last evaluation, and its best.
    package var finalPrimary: Double? { finalMetrics?[primaryMetric.name] }
    package var bestPrimary: Double? { bestMetrics?[primaryMetric.name] }

    /// Reads a `summary.json`, checking its format and version first.
    package static func read(from url: URL) throws -> RunSummary {
        struct Header: Decodable { var format: String?; var version: Int? }
        let data = try Data(contentsOf: url)
        let header = try JSONDecoder().decode(Header.self, from: data)
        guard header.format == currentFormat, header.version == currentVersion else {
            throw RunError(description: "\(url.path): a summary of format \(header.format ?? "none") version "
                + "\(header.version.map(String.init) ?? "none"); this Murmur reads \(currentFormat) version \(currentVersion) "
                + "(rerun the run with this Murmur, or `murmur report` it with the Murmur that made it)")
        }
        return try JSONDecoder().decode(RunSummary.self, from: data)
    }
}
