import Foundation

/// Progress of a run for a person: on a terminal, one status line rewritten each round (round, loss,
/// perplexity, rounds per second, time left); otherwise plain lines on evaluation rounds only, so logs
/// stay readable.
package struct RunReporter: Sendable {
    package var isTerminal: Bool
    package var write: @Sendable (String) -> Void
    private let started = ContinuousClock.now
    private final class LastValues: @unchecked Sendable {  // touched only from the run's thread
        var perplexity: Double?
        var roundSeconds: [Double] = []
    }
    private let last = LastValues()

    package init(isTerminal: Bool, write: @escaping @Sendable (String) -> Void) {
        self.isTerminal = isTerminal
        self.write = write
    }

    /// Reports nothing (tests, benchmarks).
    package static let silent = RunReporter(isTerminal: false) { _ in }

    func note(_ text: String) { write("murmur run: \(text)") }

    func start(name: String, folder: String, rounds: Int, population: String, parameters: Int, unigram: Double) {
        note("\(name): \(rounds) rounds over \(population), \(parameters) parameters; unigram perplexity "
            + "\(format(unigram, 1)); writing \(folder)")
    }

    func round(_ metrics: RoundMetrics, of rounds: Int) {
        if let perplexity = metrics.validationPerplexity { last.perplexity = perplexity }
        if metrics.round > 0 { last.roundSeconds.append(metrics.wallSeconds) }
        let recent = last.roundSeconds.suffix(5)
        let perRound = recent.isEmpty ? 0 : recent.reduce(0, +) / Double(recent.count)
        let left = perRound * Double(rounds - metrics.round)
        var fields = ["round \(metrics.round)/\(rounds)"]
        if let loss = metrics.trainLoss { fields.append("train loss \(format(loss, 3))") }
        if let perplexity = last.perplexity { fields.append("val ppl \(format(perplexity, 1))") }
        if let epsilon = metrics.epsilon { fields.append("ε \(format(epsilon, 3))") }
        if let secure = metrics.secureAggregation {
            fields.append(secure.failure == nil ? "secagg \(secure.survivors[2])/\(metrics.clientsSampled)" : "secagg failed")
        }
        if perRound > 0 { fields += ["\(format(1 / perRound, 2)) rounds/s", "\(Int(left.rounded()))s left"] }
        if isTerminal {
            write("\r\u{1B}[K" + fields.joined(separator: " · ") + (metrics.round == rounds ? "\n" : ""))
        } else if metrics.validationPerplexity != nil {
            write(fields.joined(separator: " · "))
        }
    }

    func finish(_ summary: RunSummary, folder: String) {
        if isTerminal && summary.roundsCompleted == 0 { write("\n") }
        let perplexity = summary.finalValidationPerplexity.map { format($0, 1) } ?? "–"
        note("\(summary.roundsCompleted) rounds in \(format(summary.trainingWallSeconds, 1)) s; validation perplexity "
            + "\(perplexity) (unigram \(format(summary.unigramPerplexity, 1))); results in \(folder)")
        if let secure = summary.secureAggregation {
            note("\(secure.protocolName): \(secure.failedRounds) of \(secure.rounds) rounds failed, \(secure.clientsDropped) "
                + "clients dropped; per client \(format(secure.clientSecondsMedian, 3)) s CPU and \(secure.bytesSentPerClient) bytes "
                + "sent (median), server \(format(secure.serverSecondsPerRound, 3)) s CPU a round")
        }
    }

    private func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}
