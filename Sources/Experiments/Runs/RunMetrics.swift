import Federation
import Foundation
import Learning
import SecureAggregation

/// One line of `metrics.jsonl`: what a round did and, on evaluation rounds, how the model scores.
package struct RoundMetrics: Sendable, Equatable, Codable {
    package var round: Int
    package var wallSeconds: Double
    /// The simulated clock when the round closed (runs with devices).
    package var simulatedSeconds: Double?
    package var learningRate: Double?
    package var trainLoss: Double?
    package var clientsSampled: Int
    package var clientsFinished: Int
    package var clientsDropped: Int
    package var trainingTokens: Int
    package var localSteps: Int
    package var updateNorm: Double?
    package var bytesUp: Int
    package var bytesDown: Int
    package var validationLoss: Double?
    package var validationPerplexity: Double?
    package var top1Accuracy: Double?
    package var top3Accuracy: Double?
    /// ε spent so far (differential privacy only), and the clip bound for the next round.
    package var epsilon: Double?
    package var clipBound: Double?
    /// Secure aggregation's survivors and costs (runs with it only).
    package var secureAggregation: SecureAggregationMetrics?
    /// The round in simulated time: its length, who was available, each class's fates (runs with devices).
    package var devices: DeviceRoundMetrics?
    /// What the cohort's tasks trained, held in memory and sent.
    package var clients: ClientCostMetrics?
    /// ‖Σ clipped updates‖ / (σ·C·√d): the aggregated update's signal-to-noise (central Gaussian noise).
    package var signalToNoise: Double?

    /// The metrics of a finished round, without evaluation.
    package init(_ result: RoundResult, wallSeconds: Double) {
        round = result.round
        self.wallSeconds = wallSeconds
        learningRate = Double(result.learningRate)
        trainLoss = result.statistics.lossTokens > 0 ? result.statistics.meanLoss : nil
        clientsSampled = result.sampled
        clientsFinished = result.contributed
        clientsDropped = result.dropped
        trainingTokens = result.statistics.lossTokens
        localSteps = result.statistics.steps
        updateNorm = result.updateNorm
        bytesUp = result.bytesUpPerClient * result.contributed
        bytesDown = result.bytesDownPerClient * result.sampled
        clipBound = result.clipBound
        clients = ClientCostMetrics(result, secureAggregation: result.secureAggregation != nil)
        signalToNoise = result.signalToNoise
        // A client that refused its task (over the memory cap) downloaded nothing.
        bytesDown = result.bytesDownPerClient * (result.sampled - result.refusedForMemory)
        if let schedule = result.schedule {
            simulatedSeconds = schedule.endSeconds
            devices = DeviceRoundMetrics(schedule)
            // A device that refused its task (memory) downloaded nothing.
            bytesDown = result.bytesDownPerClient * schedule.fates.filter { $0 != .droppedForMemory }.count
        }
        if let report = result.secureAggregation {
            secureAggregation = SecureAggregationMetrics(report)
            // What went over the wire: the protocol's messages, plus the model each trained client downloaded.
            bytesUp = report.bytesSent.reduce(0, +)
            bytesDown = report.bytesReceived.reduce(0, +) + result.bytesDownPerClient * (report.clients - result.droppedBeforeTraining)
        }
    }

    /// The line for round 0: the initial model's evaluation.
    package init(initialEvaluation: LanguageModelEvaluation, wallSeconds: Double) {
        round = 0
        self.wallSeconds = wallSeconds
        clientsSampled = 0
        clientsFinished = 0
        clientsDropped = 0
        trainingTokens = 0
        localSteps = 0
        bytesUp = 0
        bytesDown = 0
        record(initialEvaluation)
    }

    package mutating func record(_ evaluation: LanguageModelEvaluation) {
        validationLoss = evaluation.meanLoss
        validationPerplexity = evaluation.perplexity
        top1Accuracy = evaluation.top1Accuracy
        top3Accuracy = evaluation.top3Accuracy
    }

    /// Every line of a `metrics.jsonl` file, in order.
    package static func read(from url: URL) throws -> [RoundMetrics] {
        let decoder = JSONDecoder()
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try decoder.decode(RoundMetrics.self, from: Data($0.utf8))
        }
    }

    /// The line as written: keys sorted, values as JSON numbers (nil fields left out).
    package var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// `summary.json`: the run's outcome at a glance.
package struct RunSummary: Sendable, Equatable, Codable {
    package var name: String
    package var roundsCompleted: Int
    package var parameters: Int
    package var threads: Int
    package var finalValidationPerplexity: Double?
    package var bestValidationPerplexity: Double?
    package var finalTop1Accuracy: Double?
    package var finalTop3Accuracy: Double?
    package var unigramPerplexity: Double
    package var trainingWallSeconds: Double
    package var roundsPerSecond: Double
    package var clientTokensPerSecond: Double
    package var bytesUp: Int
    package var bytesDown: Int
    /// The privacy spent and how it was computed (runs with differential privacy).
    package var privacy: PrivacySummary?
    /// Secure aggregation's failures, dropouts and costs (runs with it).
    package var secureAggregation: SecureAggregationSummary?
    /// Simulated time and each device class's participation (runs with devices).
    package var devices: DeviceSummary?
    /// When the target validation perplexity was first reached (scenarios with evaluation.targetPerplexity).
    package var timeToTarget: TimeToTarget?
    /// What the clients' tasks trained, held in memory and sent over the run.
    package var clients: ClientCostSummary?
}
