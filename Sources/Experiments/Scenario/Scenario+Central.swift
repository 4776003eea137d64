import Federation
import Foundation
import Learning
import Tasks

/// A scenario's `central` section: how `murmur train-central` trains its model centrally (a seed model
/// for `model.initialWeights`), and on which users.
package struct CentralTrainingSpecification: Sendable, Equatable {
    package var configuration: CentralTrainingConfiguration
    /// The users it trains on, when not the scenario's training users: a folder of the scenario's kind
    /// (text or speakers), resolved — FL4ASR's seed models are trained on speakers the clients are not.
    package var trainPath: String?
    /// For synthetic text, the seed of the central users (drawn from the same language as the clients').
    package var userSeed: UInt64?
    package var evaluateEvery: Int
    /// Whether `murmur run` trains this seed first and starts the federated rounds from it (one command
    /// for a seeded run; `CentralSeed` keeps it for reuse).
    package var seedStart = false
}

extension Scenario {
    /// Reads `central` (every key optional; a scenario without the section trains with the defaults).
    static func readCentral(_ r: ScenarioReader, baseFolder: URL, seed: UInt64, data: DataSource,
                            clientBatchSize: Int) throws(ScenarioError) -> CentralTrainingSpecification {
        var c = CentralTrainingConfiguration()
        c.seed = seed
        c.steps = try r.integer("steps", default: 1000, in: 1...10_000_000)
        c.usersPerStep = try r.integer("usersPerStep", default: 4, in: 1...4096)
        c.batchSize = try r.integer("batchSize", default: clientBatchSize, in: 1...4096)
        let optimizer = try r.choice("optimizer", default: "adam", among: ["sgd", "adam", "adagrad", "lamb"])
        switch optimizer {
        case "sgd": c.optimizer = .sgd(momentum: Float(try r.number("momentum", default: 0.9, in: 0...0.999)))
        case "adagrad": c.optimizer = .adagrad()
        case "lamb": c.optimizer = .lamb()
        default: c.optimizer = .adam()
        }
        c.learningRate = Float(try r.number("learningRate", default: 1e-3, in: 0...100, excludingLowerBound: true))
        let warmup = try r.integer("warmupSteps", default: 0, in: 0...10_000_000)
        switch try r.choice("decay", default: "none", among: ["none", "cosine"]) {
        case "cosine":
            c.schedule = .cosine(totalSteps: c.steps, warmupSteps: warmup,
                                 minimumFactor: try r.number("minimumFactor", default: 0, in: 0...1))
        default: c.schedule = warmup > 0 ? .linearWarmup(warmupSteps: warmup) : .constant
        }
        r.declare(["gradientClipNorm", "trainPath", "userSeed"])
        let seedStart = try r.boolean("seedStart", default: false)
        if r.contains("gradientClipNorm") {
            c.gradientClipNorm = try r.number("gradientClipNorm", default: 1, in: 0...1e6, excludingLowerBound: true)
        }
        var specification = CentralTrainingSpecification(
            configuration: c, trainPath: nil, userSeed: nil,
            evaluateEvery: try r.integer("evaluateEvery", default: max(1, c.steps / 10), in: 0...10_000_000),
            seedStart: seedStart)
        switch data {
        case let .synthetic(_, _, _, _, _, _, userSeed, validationSeed):
            if r.contains("trainPath") { throw r.error("trainPath", "applies to data.source files; synthetic users take central.userSeed") }
            let central = UInt64(try r.integer("userSeed", default: 2, in: 0...Int(Int32.max)))
            if central == userSeed || central == validationSeed {
                throw r.error("userSeed", "must differ from data.userSeed and data.validationSeed, or central users repeat federated or held-out ones")
            }
            specification.userSeed = central
        case .files, .speakers:
            if r.contains("userSeed") { throw r.error("userSeed", "applies to synthetic data; give central.trainPath for files") }
            if let given = try r.string("trainPath", default: nil) {
                let url = given.hasPrefix("/") ? URL(fileURLWithPath: given) : baseFolder.appendingPathComponent(given)
                let needed = if case .speakers = data { "speakers.jsonl" } else { "users.jsonl" }
                guard FileManager.default.fileExists(atPath: url.appendingPathComponent(needed).path) else {
                    throw r.error("trainPath", "\(url.appendingPathComponent(needed).standardizedFileURL.path) not found")
                }
                specification.trainPath = url.standardizedFileURL.path
            }
        }
        try r.finish(note: "momentum applies to optimizer sgd, minimumFactor to decay cosine")
        return specification
    }
}
