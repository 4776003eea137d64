import Federation
import Foundation
import Learning
import Tasks

/// A federated scenario, validated and resolved: what `murmur run` runs (docs/scenarios.md lists every
/// key with its default and range).
package struct Scenario: Sendable {
    /// Where the users come from.
    package enum DataSource: Sendable, Equatable {
        /// Users generated on demand from a `SyntheticLanguage`.
        case synthetic(users: Int, validationUsers: Int, vocabularySize: Int, topics: Int, zipfExponent: Double,
                       languageSeed: UInt64, userSeed: UInt64, validationSeed: UInt64)
        /// Federated text folders (vocab.txt + users.jsonl), paths resolved against the scenario's folder.
        case files(trainPath: String, validationPath: String)
        /// Federated speech folders (speakers.jsonl + audio), paths resolved against the scenario's folder.
        case speakers(trainPath: String, validationPath: String)
    }

    package var name: String
    package var file: String
    package var rounds: Int
    package var data: DataSource
    /// What is trained and evaluated: the task and its own configuration (the model among it).
    package var task: TaskSpecification
    package var training: FederatedTrainingConfiguration
    package var evaluationEvery: Int
    package var evaluationUsers: Int
    package var evaluationBatchSize: Int
    package var outputDirectory: String
    package var checkpointEvery: Int
    /// Whether the run writes a TensorBoard event file as it goes (`output.tensorboard`).
    package var tensorBoard = false
    /// Differential privacy, when the scenario has a `privacy` section; the noise multiplier is resolved.
    package var privacy: PrivacyConfiguration?
    /// How the noise was chosen and what the planned run spends.
    package var privacyPlan: PrivacyPlan?
    /// The empirical privacy audit (`privacy.audit`): canaries and the one-run ε lower bound. A `privacy`
    /// section holding only `audit` audits a run without differential privacy.
    package var audit: CanaryAuditConfiguration?
    /// Secure aggregation, when the scenario has a `secureAggregation` section.
    package var secureAggregation: SecureAggregationConfiguration?
    /// The device fleet, when the scenario has a `devices` section (rounds then run in simulated time).
    package var fleetSpecification: FleetSpecification?
    /// The checkpoint whose model weights the run starts from (`model.initialWeights`, resolved), instead of
    /// the seed's random initialisation.
    package var initialWeights: String?
    /// The value of a task metric whose first reaching the summary reports (time-to-target).
    package var evaluationTarget: EvaluationTarget?
    /// How `murmur train-central` trains the scenario's model, when it has a `central` section.
    package var central: CentralTrainingSpecification?
    /// The scenario with every default filled in, as written to the run folder's scenario.json.
    package var resolvedJSON: Data

    /// Parses and validates scenario JSON text; `file` names it in errors and anchors relative paths.
    package init(json: Data, file: String, overrides: [String] = []) throws(ScenarioError) {
        guard var tree = (try? JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
            throw ScenarioError(file: file, keyPath: "", message: JSONSyntax.firstProblem(in: json)?.description
                ?? "not a JSON object: a scenario is one object { … }")
        }
        for override in overrides { try ScenarioOverride.apply(override, to: &tree, file: file) }
        let root = ScenarioReader(file: file, object: tree)
        self.file = file
        name = try root.string("name", default: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent)!
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw root.error("name", "'\(name)' must use only letters, digits, '-', '_' and '.' (it names the run folder)")
        }
        let seed = UInt64(try root.integer("seed", default: 0, in: 0...Int(Int32.max)))
        rounds = try root.integer("rounds", default: 20, in: 1...1_000_000)

        let baseFolder = URL(fileURLWithPath: file).deletingLastPathComponent()
        let taskName = try root.choice("task", default: "languageModelling", among: TaskSpecification.names)
        training = FederatedTrainingConfiguration()
        training.seed = seed
        let clients = try root.section("clients")
        if taskName == TaskSpecification.speechRecognitionName {
            let speech = try Self.readSpeechRecognition(root, clients: clients, baseFolder: baseFolder, training: &training)
            (data, initialWeights, maxSentencesGenerated) = (speech.data, speech.initialWeights, 0)
            task = .speechRecognition(speech.configuration)
        } else {
            let language = try Self.readLanguageModelling(root, clients: clients, baseFolder: baseFolder, training: &training)
            (data, initialWeights, maxSentencesGenerated) = (language.data, language.initialWeights, language.maxSentencesGenerated)
            task = .languageModelling(language.configuration)
        }
        training.server = try Self.readServer(try root.section("server"), rounds: rounds)
        if root.contains("devices") {
            let (simulation, fleet) = try Self.readDevices(try root.section("devices"), baseFolder: baseFolder,
                                                           sampling: training.sampling, population: Self.populationSize(data))
            (training.devices, fleetSpecification) = (simulation, fleet)
        }
        let shape = task.modelShape

        if root.contains("privacy") || root.contains("secureAggregation") {
            var population = Self.populationSize(data)
            if population == nil {
                do {
                    switch data {
                    case let .files(trainPath, _): population = try FederatedTextFolder(path: trainPath).userCount
                    case let .speakers(trainPath, _): population = try SpeakerFolder(path: trainPath).userCount
                    case .synthetic: break
                    }
                } catch {
                    throw ScenarioError(file: file, keyPath: "data.trainPath", message: error.description)
                }
            }
            if root.contains("privacy") {
                let section = try root.section("privacy")
                let auditOnly = (tree["privacy"] as? [String: Any]).map { Set($0.keys) == ["audit"] } ?? false
                section.declare(["audit"])  // read below, by readAudit
                if !auditOnly {
                    let (privacy, plan) = try Self.readPrivacy(section, rounds: rounds, training: training,
                                                               shape: shape, population: population ?? 1)
                    (self.privacy, privacyPlan) = (privacy, plan)
                }
                let canaryWords: Int? = if case let .languageModelling(language) = task { language.sequenceLength - 1 } else { nil }
                audit = try Self.readAudit(section, population: population ?? 1, seed: seed, privacyDelta: privacy?.delta,
                                           maxWords: canaryWords)
                if auditOnly { try section.finish() }
            }
            if root.contains("secureAggregation") {
                secureAggregation = try Self.readSecureAggregation(try root.section("secureAggregation"), training: training,
                                                                   shape: shape, privacy: privacy, population: population ?? 1)
            }
        }

        let evaluation = try root.section("evaluation")
        evaluationEvery = try evaluation.integer("every", default: max(1, rounds / 10), in: 0...1_000_000)
        evaluationUsers = try evaluation.integer("users", default: 200, in: 1...1_000_000)
        evaluationBatchSize = try evaluation.integer("batchSize", default: task.defaultEvaluationBatchSize(clientBatchSize: training.client.batchSize), in: 1...4096)
        evaluationTarget = try Self.readTarget(evaluation, metrics: task.metrics)
        if case var .speechRecognition(speech) = task {
            speech.beamWidth = try evaluation.integer("beamWidth", default: 1, in: 1...256)
            task = .speechRecognition(speech)
        }
        try evaluation.finish()

        let output = try root.section("output")
        outputDirectory = try Self.readOutputDirectory(output, baseFolder: baseFolder)
        checkpointEvery = try output.integer("checkpointEvery", default: max(1, rounds / 10), in: 1...1_000_000)
        tensorBoard = try output.boolean("tensorboard", default: false)
        training.recordsTensorNorms = try output.boolean("tensorNorms", default: false)
        try output.finish()
        if root.contains("central") {
            central = try Self.readCentral(try root.section("central"), baseFolder: baseFolder, seed: seed, data: data,
                                           clientBatchSize: training.client.batchSize)
            if central?.seedStart == true, initialWeights != nil {
                throw ScenarioError(file: file, keyPath: "central.seedStart",
                                    message: "starts from a seed trained here; it cannot be combined with model.initialWeights (drop one)")
            }
        }
        root.declare(["sweep", "compare", "devices", "peu", "lora", "central"])  // read by `murmur sweep` and `murmur compare` (ExperimentPlan)
        try root.finish()

        let encoder = try? JSONSerialization.data(withJSONObject: root.resolvedTree, options: [.prettyPrinted, .sortedKeys])
        resolvedJSON = encoder ?? Data()
    }

    private var maxSentencesGenerated: Int

    /// Reads a scenario file.
    package init(contentsOf path: String, overrides: [String] = []) throws(ScenarioError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ScenarioError(file: path, keyPath: "", message: "no such file (scenarios are JSON files, e.g. "
                + "scenarios/quickstart.json)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(file: path, keyPath: "", message: "cannot be read")
        }
        try self.init(json: data, file: path, overrides: overrides)
    }

    /// The training and validation users of a language task (opening the folders, or making the
    /// synthetic language).
    package func textPopulations() throws(ScenarioError)
        -> (train: any Population<TextUser>, validation: any Population<TextUser>) {
        switch data {
        case let .synthetic(users, validationUsers, vocabularySize, topics, zipf, languageSeed, userSeed, validationSeed):
            let language = SyntheticLanguage(vocabularySize: vocabularySize, topics: topics, zipfExponent: zipf,
                                             seed: languageSeed)
            return (SyntheticPopulation(language: language, users: users, seed: userSeed, maxSentences: maxSentencesGenerated),
                    SyntheticPopulation(language: language, users: validationUsers, seed: validationSeed,
                                        maxSentences: maxSentencesGenerated))
        case let .files(trainPath, validationPath):
            do {
                return (try FederatedTextFolder(path: trainPath), try FederatedTextFolder(path: validationPath))
            } catch {
                throw ScenarioError(file: file, keyPath: "data", message: error.description)
            }
        case .speakers:
            preconditionFailure("Scenario: speech data for a language task (the reader pairs them)")
        }
    }
}
