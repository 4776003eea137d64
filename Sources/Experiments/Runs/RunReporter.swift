import Federation
import Foundation
import SecureAggregation

/// Progress of a run for a person: on a terminal, one status line rewritten each round (round, loss,
/// the task's primary metric, rounds per second, time left); otherwise plain lines on evaluation
/// rounds only, so logs stay readable.
package struct RunReporter: Sendable {
    package var isTerminal: Bool
    package var write: @Sendable (String) -> Void
    private let started = ContinuousClock.now
    private final class LastValues: @unchecked Sendable {  // touched only from the run's thread
        var primaryMetric = TaskMetric(name: "", lowerIsBetter: true, label: "")
        var primary: Double?
        var roundSeconds: [Double] = []
        var noiseCohort: (size: Int, population: Int)?
        var signalToNoise: [Double] = []
        var warnedOfNoise = false
    }
    private let last = LastValues()

    package init(isTerminal: Bool, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Reports nothing (tests, benchmarks).
    package static let silent = RunReporter(isTerminal: false) { _ in }

    func note(_ text: String) { write("murmur run: \(text)") }

    func start(name: String, folder: String, rounds: Int, population: String, parameters: Int, primaryMetric: TaskMetric,
               baselines: [TaskBaseline]) {
        last.primaryMetric = primaryMetric
        let reference = baselines.map { "\($0.name) \($0.metric) \(format($0.value, 1))" }.joined(separator: ", ")
        note("\(name): \(rounds) rounds over \(population), \(parameters) parameters"
            + (reference.isEmpty ? "" : "; \(reference)") + "; writing \(folder)")
    }

    /// Tells the progress line that ε is accounted for a noise cohort of `size` of `population` users,
    /// so that it shows ε as run first and labels the noise cohort's.
    func noiseCohort(size: Int, population: Int) { last.noiseCohort = (size, population) }

    /// Rounds whose mean signal-to-noise ratio decides the warning while the run goes.
    static let signalToNoiseWindow = 5

    /// - Parameter roundsInLine: rounds (central steps) the line's wall time covers.
    func round(_ metrics: RoundMetrics, of rounds: Int, roundsInLine: Int = 1) {
        let primary = metrics.metric(last.primaryMetric.name)
        if let primary { last.primary = primary }
        if metrics.round > 0 { last.roundSeconds.append(metrics.wallSeconds / Double(max(1, roundsInLine))) }
        let recent = last.roundSeconds.suffix(5)
        let perRound = recent.isEmpty ? 0 : recent.reduce(0, +) / Double(recent.count)
        let left = perRound * Double(rounds - metrics.round)
        var fields = ["round \(metrics.round)/\(rounds)"]
        if let loss = metrics.trainLoss { fields.append("train loss \(format(loss, 3))") }
        if let value = last.primary { fields.append("\(last.primaryMetric.label) \(Self.formatMetric(value))") }
        if let epsilon = metrics.epsilon {
            fields.append(PrivacyDisplay.epsilonField(asRun: metrics.epsilonShown ?? epsilon, accounted: epsilon, noiseCohort: last.noiseCohort))
        }
        if let ratio = metrics.signalToNoise {
            fields.append("SNR \(PrivacyDisplay.signalToNoise(ratio))")
            last.signalToNoise.append(ratio)
        }
        if let secure = metrics.secureAggregation {
            fields.append(secure.failure == nil ? "secagg \(secure.survivors(at: .maskedInput))/\(metrics.clientsSampled)"
                : "secagg failed")
        }
        if perRound > 0 { fields += ["\(format(1 / perRound, 2)) rounds/s", "\(Int(left.rounded()))s left"] }
        if isTerminal {
            write("\r\u{1B}[K" + fields.joined(separator: " · ") + (metrics.round == rounds ? "\n" : ""))
        } else if primary != nil {
            write(fields.joined(separator: " · "))
        }
        warnIfNoiseSwamps(round: metrics.round)
    }

    /// Warns once, as soon as the mean signal-to-noise ratio of the last few rounds is below
    /// `PrivacyDisplay.swampedBelow`, naming the levers.
    private func warnIfNoiseSwamps(round: Int) {
        guard !last.warnedOfNoise, last.signalToNoise.count >= min(Self.signalToNoiseWindow, 2) else { return }
        let recent = Array(last.signalToNoise.suffix(Self.signalToNoiseWindow))
        guard let mean = PrivacyDisplay.mean(recent),
              let warning = PrivacyDisplay.swampWarning(signalToNoise: mean, noiseCohort: last.noiseCohort != nil) else { return }
        last.warnedOfNoise = true
        if isTerminal { write("\n") }
        note("WARNING after round \(round): " + warning)
    }

    func finish(_ summary: RunSummary, folder: String) {
        if isTerminal && summary.roundsCompleted == 0 { write("\n") }
        let metric = summary.primaryMetric
        let final = summary.finalPrimary.map(Self.formatMetric) ?? "–"
        let reference = summary.baselines.filter { $0.metric == metric.name }.map { "\($0.name) \(Self.formatMetric($0.value))" }
        note("\(summary.roundsCompleted) rounds in \(format(summary.trainingWallSeconds, 1)) s; \(metric.label) \(final)"
            + (reference.isEmpty ? "" : " (\(reference.joined(separator: ", ")))") + "; results in \(folder)"
            + (Self.baselinesBeaten(summary).map { "; " + $0 } ?? ""))
        if let privacy = summary.privacy {
            note("ε as run \(ReportFormat.epsilon(privacy.epsilonShown)) at δ = \(ReportFormat.significant(privacy.delta, digits: 3))"
                + (privacy.deploymentEpsilon.map { " (\($0), the noise cohort's accounting)" } ?? "")
                + (privacy.meanSignalToNoise.map { "; mean signal-to-noise \(PrivacyDisplay.signalToNoise($0))" } ?? ""))
            if let warning = privacy.signalToNoiseWarning { note("WARNING: " + warning) }
            if let note = Self.participationNote(privacy) { self.note(note) }
        }
        if let audit = summary.audit { note("audit: " + AuditDisplay.line(audit)) }
        if let secure = summary.secureAggregation {
            note("\(secure.protocolKind.rawValue): \(secure.failedRounds) of \(secure.rounds) rounds failed, \(secure.clientsDropped) "
                + "clients dropped; per client \(format(secure.clientSecondsMedian, 3)) s CPU and \(secure.bytesSentPerClient) bytes "
                + "sent (median), server \(format(secure.serverSecondsPerRound, 3)) s CPU a round")
        }
    }

    /// How often users took part, against the cap if there is one: "participation: 9 812 users took part,
    /// the most active in 3 rounds (cap 3 rounds, at least 50 apart; ε is accounted from the cap, without
    /// amplification)".
    package static func participationNote(_ privacy: PrivacySummary) -> String? {
        guard let most = privacy.mostParticipations, let users = privacy.participants else { return nil }
        let cap = privacy.maxParticipations.map { k in
            "; cap \(k) round\(k == 1 ? "" : "s")" + (privacy.minSeparation.map { $0 > 1 ? ", at least \($0) apart" : "" } ?? "")
                + ": ε is accounted from the cap, without amplification by sampling"
        } ?? "; no cap: ε assumes each round's sampling as run"
        let dpftrl = privacy.matrixFactorization.map { strategy in
            "; DP-FTRL (\(strategy)), sensitivity \(ReportFormat.significant(privacy.sensitivity ?? 0, digits: 4)) clip bounds"
        } ?? ""
        return "participation: \(users) users took part, the most active in \(most) round\(most == 1 ? "" : "s")" + cap + dpftrl
    }

    /// A warning when the final primary metric is worse than a baseline of it (the model learnt less than,
    /// say, word frequencies alone), which way is worse told by the metric; nil when it beats them all.
    package static func baselinesBeaten(_ summary: RunSummary) -> String? {
        let metric = summary.primaryMetric
        guard let final = summary.finalPrimary else { return nil }
        let beaten = summary.baselines.filter { baseline in
            baseline.metric == metric.name && (metric.lowerIsBetter ? final > baseline.value : final < baseline.value)
        }
        guard !beaten.isEmpty else { return nil }
        return "WORSE than the " + beaten.map { "\($0.name) baseline (\(formatMetric($0.value)))" }.joined(separator: " and ")
            + ": the model has not learnt beyond it; run more rounds or check the learning rates"
    }

    private func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    /// A metric's value as people read it: one decimal above 10 (perplexity 53.1), three significant
    /// digits below (an error rate of 0.142).
    static func formatMetric(_ value: Double) -> String {
        abs(value) >= 10 ? String(format: "%.1f", value) : String(format: "%.3g", value)
    }
}
