import Federation
import Foundation
import Learning
import SecureAggregation

/// One line of `metrics.jsonl`: what a round did and, on evaluation rounds, the task's metrics.
///
/// The task's metrics are top-level keys of the line under their own names (`validationPerplexity`,
/// `wordErrorRate`, …), beside the fixed keys below, so a line stays one flat JSON object that tools
/// (the peer's side_by_side.sh, jq) read as they always have.
package struct RoundMetrics: Sendable, Equatable {
    package var round: Int
    package var wallSeconds: Double
    /// The simulated clock when the round closed (runs with devices).
    package var simulatedSeconds: Double?
    package var learningRate: Double?
    package var trainLoss: Double?
    package var clientsSampled: Int
    package var clientsFinished: Int
    package var clientsDropped: Int
    /// Targets the clients' losses counted over all local steps (tokens, characters).
    package var trainingTargets: Int
    package var localSteps: Int
    package var updateNorm: Double?
    /// The average update's norm before central noise (runs with central noise): `updateNorm` is after it.
    package var updateNormBeforeNoise: Double?
    /// Each tensor's client update norm before clipping, by tensor name: the cohort's mean and largest
    /// (runs with `output.tensorNorms`).
    package var clientUpdateNorms: [String: TensorNormStatistics]?
    package var bytesUp: Int
    package var bytesDown: Int
    /// The task's metrics on evaluation rounds (nil on other rounds), by name.
    package var evaluation: [String: Double]?
    /// ε spent so far (differential privacy only), and the clip bound for the next round.
    package var epsilon: Double?
    package var clipBound: Double?
    /// ε spent so far as the rounds actually ran, when it differs from `epsilon` (a noise cohort, whose
    /// `epsilon` is for the simulated cohort); absent otherwise.
    package var epsilonAsRun: Double?
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
        trainLoss = result.statistics.lossTargets > 0 ? result.statistics.meanLoss : nil
        clientsSampled = result.sampled
        clientsFinished = result.contributed
        clientsDropped = result.dropped
        trainingTargets = result.statistics.lossTargets
        localSteps = result.statistics.steps
        updateNorm = result.updateNorm
        updateNormBeforeNoise = result.updateNormBeforeNoise
        clientUpdateNorms = result.clientUpdateNorms.map { summaries in
            Dictionary(uniqueKeysWithValues: summaries.map { ($0.name, TensorNormStatistics(mean: $0.mean, max: $0.max)) })
        }
        bytesUp = result.bytesUpPerClient * result.contributed
        clipBound = result.clipBound
        epsilon = result.epsilon
        epsilonAsRun = result.epsilonAsRun
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
    package init(initialEvaluation: [String: Double], wallSeconds: Double) {
        round = 0
        self.wallSeconds = wallSeconds
        clientsSampled = 0
        clientsFinished = 0
        clientsDropped = 0
        trainingTargets = 0
        localSteps = 0
        bytesUp = 0
        bytesDown = 0
        evaluation = initialEvaluation
    }

    /// ε as the rounds so far actually ran: what progress lines, tables and reports show first.
    package var epsilonShown: Double? { epsilonAsRun ?? epsilon }

    /// The value of the task's metric `name` on this line (nil on rounds without evaluation).
    package func metric(_ name: String) -> Double? { evaluation?[name] }

    /// Every line of a `metrics.jsonl` file, in order. A last line without its newline is the one a
    /// crash cut short (`--resume` removes it); it is left out.
    package static func read(from url: URL) throws -> [RoundMetrics] {
        let decoder = JSONDecoder()
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n")
        if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
        return try lines.map { try decoder.decode(RoundMetrics.self, from: Data($0.utf8)) }
    }

    /// The line as written: keys sorted, values as JSON numbers (nil fields left out).
    package var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// A tensor's client update norms in one round, as a metrics line holds them.
package struct TensorNormStatistics: Sendable, Equatable, Codable {
    package var mean: Double
    package var max: Double
}

extension RoundMetrics: Codable {
    /// A key by its text: the fixed fields' names and the task's metric names share the line's one level.
    private struct Key: CodingKey, ExpressibleByStringLiteral {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init(stringLiteral value: String) { stringValue = value }
        init?(intValue: Int) { nil }
    }

    /// The fixed fields' keys; every other numeric key of a line is a task metric.
    private static let fieldNames: Set<String> = [
        "round", "wallSeconds", "simulatedSeconds", "learningRate", "trainLoss", "clientsSampled", "clientsFinished",
        "clientsDropped", "trainingTargets", "localSteps", "updateNorm", "bytesUp", "bytesDown", "epsilon", "clipBound",
        "secureAggregation", "devices", "clients", "signalToNoise", "epsilonAsRun", "updateNormBeforeNoise", "clientUpdateNorms",
    ]

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        round = try c.decode(Int.self, forKey: "round")
        wallSeconds = try c.decode(Double.self, forKey: "wallSeconds")
        simulatedSeconds = try c.decodeIfPresent(Double.self, forKey: "simulatedSeconds")
        learningRate = try c.decodeIfPresent(Double.self, forKey: "learningRate")
        trainLoss = try c.decodeIfPresent(Double.self, forKey: "trainLoss")
        clientsSampled = try c.decode(Int.self, forKey: "clientsSampled")
        clientsFinished = try c.decode(Int.self, forKey: "clientsFinished")
        clientsDropped = try c.decode(Int.self, forKey: "clientsDropped")
        trainingTargets = try c.decode(Int.self, forKey: "trainingTargets")
        localSteps = try c.decode(Int.self, forKey: "localSteps")
        updateNorm = try c.decodeIfPresent(Double.self, forKey: "updateNorm")
        bytesUp = try c.decode(Int.self, forKey: "bytesUp")
        bytesDown = try c.decode(Int.self, forKey: "bytesDown")
        epsilon = try c.decodeIfPresent(Double.self, forKey: "epsilon")
        clipBound = try c.decodeIfPresent(Double.self, forKey: "clipBound")
        epsilonAsRun = try c.decodeIfPresent(Double.self, forKey: "epsilonAsRun")
        secureAggregation = try c.decodeIfPresent(SecureAggregationMetrics.self, forKey: "secureAggregation")
        devices = try c.decodeIfPresent(DeviceRoundMetrics.self, forKey: "devices")
        clients = try c.decodeIfPresent(ClientCostMetrics.self, forKey: "clients")
        signalToNoise = try c.decodeIfPresent(Double.self, forKey: "signalToNoise")
        updateNormBeforeNoise = try c.decodeIfPresent(Double.self, forKey: "updateNormBeforeNoise")
        clientUpdateNorms = try c.decodeIfPresent([String: TensorNormStatistics].self, forKey: "clientUpdateNorms")
        var evaluation: [String: Double] = [:]
        for key in c.allKeys where !Self.fieldNames.contains(key.stringValue) {
            evaluation[key.stringValue] = try c.decode(Double.self, forKey: key)
        }
        self.evaluation = evaluation.isEmpty ? nil : evaluation
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(round, forKey: "round")
        try c.encode(wallSeconds, forKey: "wallSeconds")
        try c.encodeIfPresent(simulatedSeconds, forKey: "simulatedSeconds")
        try c.encodeIfPresent(learningRate, forKey: "learningRate")
        try c.encodeIfPresent(trainLoss, forKey: "trainLoss")
        try c.encode(clientsSampled, forKey: "clientsSampled")
        try c.encode(clientsFinished, forKey: "clientsFinished")
        try c.encode(clientsDropped, forKey: "clientsDropped")
        try c.encode(trainingTargets, forKey: "trainingTargets")
        try c.encode(localSteps, forKey: "localSteps")
        try c.encodeIfPresent(updateNorm, forKey: "updateNorm")
        try c.encode(bytesUp, forKey: "bytesUp")
        try c.encode(bytesDown, forKey: "bytesDown")
        try c.encodeIfPresent(epsilon, forKey: "epsilon")
        try c.encodeIfPresent(clipBound, forKey: "clipBound")
        try c.encodeIfPresent(epsilonAsRun, forKey: "epsilonAsRun")
        try c.encodeIfPresent(secureAggregation, forKey: "secureAggregation")
        try c.encodeIfPresent(devices, forKey: "devices")
        try c.encodeIfPresent(clients, forKey: "clients")
        try c.encodeIfPresent(signalToNoise, forKey: "signalToNoise")
        try c.encodeIfPresent(updateNormBeforeNoise, forKey: "updateNormBeforeNoise")
        try c.encodeIfPresent(clientUpdateNorms, forKey: "clientUpdateNorms")
        for (name, value) in evaluation ?? [:] {
            precondition(!Self.fieldNames.contains(name), "RoundMetrics: a task metric may not be named \(name)")
            try c.encode(value, forKey: Key(stringValue: name))
        }
    }
}
