import Federation
import Foundation
import Learning
import Tasks

// The readers of each scenario section: keys, defaults and ranges (mirrored in docs/scenarios.md).
extension Scenario {
    static func readData(_ r: ScenarioReader, baseFolder: URL) throws(ScenarioError) -> (DataSource, Int) {
        let source = try r.choice("source", default: "synthetic", among: ["synthetic", "files"])
        let maxSentences = try r.integer("maxSentencesPerUser", default: 64, in: 1...100_000)
        switch source {
        case "files":
            func folder(_ key: String) throws(ScenarioError) -> String {
                guard let given = try r.string(key, default: nil) else {
                    throw r.error(key, "required when data.source is files: a folder with vocab.txt and users.jsonl")
                }
                let url = given.hasPrefix("/") ? URL(fileURLWithPath: given) : baseFolder.appendingPathComponent(given)
                for needed in ["vocab.txt", "users.jsonl"]
                where !FileManager.default.fileExists(atPath: url.appendingPathComponent(needed).path) {
                    throw r.error(key, "\(url.appendingPathComponent(needed).path) not found")
                }
                return url.standardizedFileURL.path
            }
            let train = try folder("trainPath"), validation = try folder("validationPath")
            try r.finish(note: "synthetic-data keys apply only when data.source is synthetic")
            return (.files(trainPath: train, validationPath: validation), maxSentences)
        default:
            let users = try r.integer("users", default: 10_000, in: 1...100_000_000)
            let validationUsers = try r.integer("validationUsers", default: 200, in: 1...1_000_000)
            let vocabulary = try r.integer("vocabularySize", default: 10_000, in: 8...1_000_000)
            let topics = try r.integer("topics", default: 40, in: 2...10_000)
            let zipf = try r.number("zipfExponent", default: 1.1, in: 0...4)
            let languageSeed = UInt64(try r.integer("languageSeed", default: 12_345, in: 0...Int(Int32.max)))
            let userSeed = UInt64(try r.integer("userSeed", default: 0, in: 0...Int(Int32.max)))
            let validationSeed = UInt64(try r.integer("validationSeed", default: 1, in: 0...Int(Int32.max)))
            if validationSeed == userSeed {
                throw r.error("validationSeed", "must differ from data.userSeed, or validation users repeat training users")
            }
            try r.finish(note: "trainPath and validationPath apply only when data.source is files")
            return (.synthetic(users: users, validationUsers: validationUsers, vocabularySize: vocabulary,
                               topics: topics, zipfExponent: zipf, languageSeed: languageSeed, userSeed: userSeed,
                               validationSeed: validationSeed), maxSentences)
        }
    }

    static func vocabularySize(of data: DataSource, reader: ScenarioReader) throws(ScenarioError) -> Int {
        switch data {
        case let .synthetic(_, _, vocabularySize, _, _, _, _, _): return vocabularySize
        case let .files(trainPath, validationPath):
            do {
                let train = try Vocabulary.load(from: URL(fileURLWithPath: trainPath).appendingPathComponent("vocab.txt"))
                let validation = try Vocabulary.load(from: URL(fileURLWithPath: validationPath)
                    .appendingPathComponent("vocab.txt"))
                guard train == validation else {
                    throw reader.error("validationPath", "its vocab.txt differs from trainPath's; both must share one")
                }
                return train.count
            } catch let error as DataError {
                throw reader.error("trainPath", error.description)
            } catch let error as ScenarioError {
                throw error
            } catch {
                throw reader.error("trainPath", "\(error)")
            }
        case .speakers:
            preconditionFailure("Scenario: speech data has no vocabulary")
        }
    }

    static func populationSize(_ data: DataSource) -> Int? {
        if case let .synthetic(users, _, _, _, _, _, _, _) = data { return users }
        return nil
    }

    static func readModel(_ r: ScenarioReader, vocabularySize: Int, baseFolder: URL)
        throws(ScenarioError) -> (model: LanguageModelConfiguration, initialWeights: String?) {
        let kind = try r.choice("kind", default: "lstm", among: ["lstm", "transformer"])
        let initialWeights = try r.string("initialWeights", default: nil)
        let model: LanguageModelConfiguration
        if kind == "transformer" {
            let width = try r.integer("width", default: 64, in: 4...4096)
            let heads = try r.integer("heads", default: 4, in: 1...64)
            guard width % heads == 0 else { throw r.error("heads", "must divide model.width (\(width))") }
            let layers = try r.integer("layers", default: 2, in: 1...48)
            let maxSteps = try r.integer("maxSteps", default: 32, in: 2...4096)
            let dropout = try r.number("dropout", default: 0, in: 0...0.9)
            model = .transformer(.init(vocabularySize: vocabularySize, width: width, heads: heads, layers: layers,
                                       maxSteps: maxSteps, dropout: Float(dropout)))
            try r.finish(note: "embeddingSize, hiddenSize and lstmBiases apply only to kind lstm")
        } else {
            let embedding = try r.integer("embeddingSize", default: 96, in: 1...4096)
            let hidden = try r.integer("hiddenSize", default: 256, in: 1...8192)
            let biases = try r.integer("lstmBiases", default: 1, in: 1...2)
            model = .lstm(.init(vocabularySize: vocabularySize, embeddingSize: embedding, hiddenSize: hidden,
                                lstmBiases: biases))
            try r.finish(note: "width, heads, layers, maxSteps and dropout apply only to kind transformer")
        }
        guard let initialWeights else { return (model, nil) }
        return (model, try checkpointFile(initialWeights, shape: model.shape, baseFolder: baseFolder, reader: r))
    }

    /// The checkpoint `model.initialWeights` names (a checkpoint.bin, or a run folder holding one, or a
    /// `.safetensors` state dict, relative to the scenario's folder), checked to be readable and to fit `shape`.
    static func checkpointFile(_ given: String, shape: ModelShape, baseFolder: URL,
                               reader r: ScenarioReader) throws(ScenarioError) -> String {
        var url = given.hasPrefix("/") ? URL(fileURLWithPath: given) : baseFolder.appendingPathComponent(given)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
            url = url.appendingPathComponent("checkpoint.bin")
        }
        let path = url.standardizedFileURL.path
        if InitialWeights.isStateDict(path) {  // a PyTorch state dict: checked name by name (docs/formats.md)
            do { _ = try InitialWeights.stateDictWeights(path: path, layout: shape.layout) } catch {
                throw r.error("initialWeights", "\(error)")
            }
            return path
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw r.error("initialWeights", "\(path) not found: give a run folder or its checkpoint.bin (relative to the "
                + "scenario's folder), and run the scenario that trains it first")
        }
        let checkpoint: TrainingCheckpoint
        do { checkpoint = try TrainingCheckpoint.read(from: url) } catch { throw r.error("initialWeights", error.description) }
        let expected = shape.parameterCount
        guard checkpoint.parameters.count == expected else {
            throw r.error("initialWeights", "\(path) holds \(checkpoint.parameters.count) parameters; this model has "
                + "\(expected) (use a checkpoint of a run of the same model, without LoRA adapters)")
        }
        return path
    }

    /// Reads `clients`: sampling, local training, and the language task's rows (maxSentences, sequenceLength).
    static func readClients(_ r: ScenarioReader, population: Int?, task: inout LanguageModellingTask.Configuration)
        throws(ScenarioError) -> (CohortSampling, ClientTraining) {
        task.maxSentences = try r.integer("maxSentences", default: 64, in: 1...100_000)
        task.sequenceLength = try r.integer("sequenceLength", default: 20, in: 2...4096)
        let result = try readClientTraining(r, population: population, defaultLearningRate: 0.3)
        try r.finish(note: "cohortSize applies to sampling fixed, samplingRate to poisson, momentum to optimizer sgd")
        return result
    }

    /// Reads the keys of `clients` every task shares: sampling and local training (the caller finishes
    /// the section after its task's own keys).
    static func readClientTraining(_ r: ScenarioReader, population: Int?, defaultLearningRate: Double)
        throws(ScenarioError) -> (CohortSampling, ClientTraining) {
        let samplingKind = try r.choice("sampling", default: "fixed", among: ["fixed", "poisson"])
        let sampling: CohortSampling
        if samplingKind == "poisson" {
            sampling = .poisson(rate: try r.number("samplingRate", default: 0.001, in: 0...1, excludingLowerBound: true))
        } else {
            let size = try r.integer("cohortSize", default: 50, in: 1...1_000_000)
            if let population, size > population {
                throw r.error("cohortSize", "\(size) exceeds the population (data.users = \(population))")
            }
            sampling = .fixedSize(size)
        }
        var client = ClientTraining()
        client.localEpochs = try r.integer("localEpochs", default: 1, in: 1...1000)
        client.batchSize = try r.integer("batchSize", default: 16, in: 1...4096)
        client.learningRate = Float(try r.number("learningRate", default: defaultLearningRate, in: 0...100,
                                                 excludingLowerBound: true))
        let optimizer = try r.choice("optimizer", default: "sgd", among: ["sgd", "adam", "adagrad", "lamb", "lars"])
        switch optimizer {
        case "adam": client.optimizer = .adam()
        case "lars": client.optimizer = .lars(momentum: Float(try r.number("momentum", default: 0.9, in: 0...0.999)))
        case "adagrad": client.optimizer = .adagrad()
        case "lamb": client.optimizer = .lamb()
        default: client.optimizer = .sgd(momentum: Float(try r.number("momentum", default: 0, in: 0...0.999)))
        }
        client.proximalMu = Float(try r.number("proximalMu", default: 0, in: 0...1000))
        client.weighting = ClientTraining.Weighting(rawValue: try r.choice("weighting", default: "user",
                                                                          among: ["user", "token"]))!
        client.shuffle = try r.boolean("shuffle", default: true)
        r.declare(["gradientClipNorm"])
        if r.contains("gradientClipNorm") {
            client.gradientClipNorm = try r.number("gradientClipNorm", default: 1, in: 0...1e6, excludingLowerBound: true)
        }
        r.declare(["userOrder"])  // read by readUserOrder, which needs the data
        return (sampling, client)
    }

    /// Reads `clients.userOrder`: a file of users (indices, or names of the training folder's users), one a
    /// line, taken `cohortSize` a round in that order (pfl_lm.py's `--write-order`); nil when absent.
    static func readUserOrder(_ r: ScenarioReader, root: ScenarioReader, data: DataSource, sampling: CohortSampling)
        throws(ScenarioError) -> OrderedCohorts? {
        guard let given = try r.string("userOrder", default: nil) else { return nil }
        guard case let .fixedSize(size) = sampling else {
            throw r.error("userOrder", "needs clients.sampling fixed (a cohort of cohortSize users a round)")
        }
        for section in ["privacy", "devices"] where root.contains(section) {
            throw r.error("userOrder", "cannot be combined with \(section): "
                + (section == "privacy" ? "a fixed order gives no privacy amplification by sampling"
                   : "devices choose the cohort from who is available"))
        }
        let base = URL(fileURLWithPath: r.file).deletingLastPathComponent()
        let url = given.hasPrefix("/") ? URL(fileURLWithPath: given) : base.appendingPathComponent(given)
        guard let bytes = FileManager.default.contents(atPath: url.path) else {
            throw r.error("userOrder", "\(url.path) not found (one user id or index a line, relative to the scenario)")
        }
        do {
            let order: [Int]
            switch data {
            case let .synthetic(users, _, _, _, _, _, _, _):
                order = try OrderedCohorts.parse(String(decoding: bytes, as: UTF8.self), population: users) {
                    throw OrderedCohorts.OrderProblem(description: "synthetic users have no names; list indices")
                }
            case let .files(trainPath, _):
                let folder = try FederatedTextFolder(path: trainPath)
                order = try OrderedCohorts.parse(String(decoding: bytes, as: UTF8.self), population: folder.userCount) {
                    try (0..<folder.userCount).map { try folder.user(at: $0).name }
                }
            case .speakers:
                preconditionFailure("Scenario: a user order is read for language tasks only")
            }
            return OrderedCohorts(order: order, cohortSize: size)
        } catch {
            throw r.error("userOrder", "\(url.path): \(error)")
        }
    }

    static func readServer(_ r: ScenarioReader, rounds: Int) throws(ScenarioError) -> ServerOptimization {
        var server = ServerOptimization()
        let kinds = ServerOptimization.Kind.allCases.map(\.rawValue)
        server.kind = ServerOptimization.Kind(rawValue: try r.choice("optimizer", default: "fedavg", among: kinds))!
        server.learningRate = Float(try r.number("learningRate", default: server.kind == .fedavg ? 1 : 0.01,
                                                 in: 0...100, excludingLowerBound: true))
        switch server.kind {
        case .fedavg: break
        case .fedavgm: server.momentum = Float(try r.number("momentum", default: 0.9, in: 0...0.999))
        case .lars:
            server.momentum = Float(try r.number("momentum", default: 0.9, in: 0...0.999))
            server.adaptivity = Float(try r.number("adaptivity", default: 1e-3, in: 0...10, excludingLowerBound: true))
        case .fedadam, .fedyogi, .lamb:
            server.beta1 = Float(try r.number("beta1", default: 0.9, in: 0...0.999))
            server.beta2 = Float(try r.number("beta2", default: 0.99, in: 0...0.9999))
            server.adaptivity = Float(try r.number("adaptivity", default: 1e-3, in: 0...10, excludingLowerBound: true))
        case .fedadagrad:
            server.adaptivity = Float(try r.number("adaptivity", default: 1e-3, in: 0...10, excludingLowerBound: true))
        }
        // A warm-up longer than the run only ramps part-way, so `--set rounds=20` alone shortens a run with 50.
        let warmup = try r.integer("warmupRounds", default: 0, in: 0...1_000_000)
        switch try r.choice("decay", default: "none", among: ["none", "cosine", "step", "exponential"]) {
        case "exponential":
            let start = try r.integer("decayStart", default: warmup, in: 0...1_000_000)
            let rate = try r.number("decayRate", default: 0.5, in: 0...1, excludingLowerBound: true)
            let transition = try r.integer("decayTransitionRounds", default: max(1, rounds / 3), in: 1...1_000_000)
            server.schedule = .exponentialDecay(startStep: start, rate: rate, transitionSteps: transition, warmupSteps: warmup)
        case "cosine":
            let floor = try r.number("minimumFactor", default: 0, in: 0...1)
            server.schedule = .cosine(totalSteps: rounds, warmupSteps: warmup, minimumFactor: floor)
        case "step":
            let every = try r.integer("decayEvery", default: max(1, rounds / 3), in: 1...1_000_000)
            let factor = try r.number("decayFactor", default: 0.5, in: 0...1, excludingLowerBound: true)
            server.schedule = .stepDecay(everySteps: every, factor: factor, warmupSteps: warmup)
        default:
            server.schedule = warmup > 0 ? .linearWarmup(warmupSteps: warmup) : .constant
        }
        try r.finish(note: "momentum applies to fedavgm and lars; beta1, beta2 to fedadam, fedyogi, lamb; adaptivity to "
            + "the adaptive optimizers and lars; minimumFactor to decay cosine; decayEvery, decayFactor to decay step; "
            + "decayStart, decayRate, decayTransitionRounds to decay exponential")
        return server
    }
}

extension Scenario {
    /// `output.directory`, resolved as the data paths are: a relative path the scenario gives is relative to
    /// the scenario's folder; without the key, runs go in `runs` under the current folder.
    static func readOutputDirectory(_ r: ScenarioReader, baseFolder: URL) throws(ScenarioError) -> String {
        let given = r.contains("directory")
        let directory = try r.string("directory", default: "runs")!
        guard given, !directory.hasPrefix("/") else { return directory }
        let resolved = baseFolder.appendingPathComponent(directory).standardizedFileURL.path
        // Shown relative to the current folder when inside it (`runs/quickstart`, not the whole path).
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        if resolved == here { return "." }
        return resolved.hasPrefix(here + "/") ? String(resolved.dropFirst(here.count + 1)) : resolved
    }
}
