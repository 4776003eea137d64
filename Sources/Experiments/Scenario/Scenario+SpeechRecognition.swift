import Federation
import Foundation
import Learning
import Tasks

extension Scenario {
    /// What the speech task's sections resolve to.
    struct SpeechRecognitionSections {
        var data: DataSource
        var configuration: SpeechRecognitionTask.Configuration
        var initialWeights: String?
    }

    /// Reads the sections a speech task reads its own way — `data` (speaker folders), `model` (the CTC
    /// transformer), the utterance keys of `clients` — and the federated client keys into `training`.
    static func readSpeechRecognition(_ root: ScenarioReader, clients: ScenarioReader, baseFolder: URL,
                                      training: inout FederatedTrainingConfiguration) throws(ScenarioError)
        -> SpeechRecognitionSections {
        let data = try readSpeakerData(try root.section("data"), baseFolder: baseFolder)
        let (model, initialWeights) = try readSpeechModel(try root.section("model"), baseFolder: baseFolder)
        var configuration = SpeechRecognitionTask.Configuration(model: model)
        configuration.maxUtterances = try clients.integer("maxUtterances", default: 64, in: 1...100_000)
        configuration.maxUtteranceSeconds = try clients.number("maxUtteranceSeconds", default: 30, in: 0.1...600)
        clients.declare(["batchSeconds"])
        if clients.contains("batchSeconds") {
            configuration.batchSeconds = try clients.number("batchSeconds", default: 16, in: 0.1...3600)
        }
        if try clients.boolean("specAugment", default: false) { configuration.specAugment = SpecAugment() }
        (training.sampling, training.client) = try readClientTraining(clients, population: nil, defaultLearningRate: 0.1)
        clients.declare(["memoryLimitBytes"])
        if clients.contains("memoryLimitBytes") {
            training.client.memoryLimitBytes = try clients.integer("memoryLimitBytes", default: 0, in: 1...(1 << 50))
        }
        try clients.finish(note: "cohortSize applies to sampling fixed, samplingRate to poisson, momentum to optimizer sgd; "
            + "the language keys (maxSentences, sequenceLength, loss) do not apply to speech")
        if root.contains("peu") {
            throw root.error("peu", "partial embedding updates choose rows of a language model's embedding; a speech "
                + "model has none (use lora to train adapters only)")
        }
        try readPartial(root, training: &training, shape: SpeechRecognitionModel.shape(of: model), vocabularySize: 0)
        return SpeechRecognitionSections(data: data, configuration: configuration, initialWeights: initialWeights)
    }

    /// Reads `data` for speech: `source: files` with `trainPath` and `validationPath`, folders holding
    /// `speakers.jsonl` (as `murmur data synth-asr` writes them).
    static func readSpeakerData(_ r: ScenarioReader, baseFolder: URL) throws(ScenarioError) -> DataSource {
        _ = try r.choice("source", default: "files", among: ["files"])
        func folder(_ key: String) throws(ScenarioError) -> String {
            guard let given = try r.string(key, default: nil) else {
                throw r.error(key, "required: a folder with speakers.jsonl and its audio (make one with "
                    + "`murmur data synth-asr --out DIR`, which writes DIR/train and DIR/validation)")
            }
            let url = given.hasPrefix("/") ? URL(fileURLWithPath: given) : baseFolder.appendingPathComponent(given)
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("speakers.jsonl").path) else {
                // A corpus of synth-asr's layout (DIR/train, DIR/validation) is made by one command.
                let corpus = url.standardizedFileURL.deletingLastPathComponent().path
                let hint = ["train", "validation"].contains(url.standardizedFileURL.lastPathComponent)
                    ? "; make the corpus with `murmur data synth-asr --speakers 300 --held-out 20 --seed 1 --out \(corpus)`"
                    : " (a speaker folder: speakers.jsonl and its WAVs, docs/asr.md)"
                throw r.error(key, "\(url.appendingPathComponent("speakers.jsonl").standardizedFileURL.path) not found" + hint)
            }
            return url.standardizedFileURL.path
        }
        let train = try folder("trainPath"), validation = try folder("validationPath")
        try r.finish(note: "a speech task reads speaker folders: source files, trainPath, validationPath")
        return .speakers(trainPath: train, validationPath: validation)
    }

    /// Reads `model` for speech: the convolutional front end, the transformer encoder, the CTC weight
    /// and the optional attention decoder.
    static func readSpeechModel(_ r: ScenarioReader, baseFolder: URL) throws(ScenarioError)
        -> (model: SpeechRecognitionModel.Configuration, initialWeights: String?) {
        _ = try r.choice("kind", default: "ctcTransformer", among: ["ctcTransformer"])
        let initialWeights = try r.string("initialWeights", default: nil)
        var c = SpeechRecognitionModel.Configuration()
        c.featureWidth = try r.integer("features", default: 80, in: 8...512)
        c.classes = Alphabet.english.classCount
        c.convolutionWidth = try r.integer("convolutionWidth", default: 144, in: 1...4096)
        let kernel = try r.integer("convolutionKernel", default: 7, in: 1...63)
        let stride = try r.integer("convolutionStride", default: 3, in: 1...8)
        let convolutions = try r.integer("convolutionLayers", default: 1, in: 1...4)
        c.convolutionKernels = Array(repeating: kernel, count: convolutions)
        c.convolutionStrides = Array(repeating: stride, count: convolutions)
        c.width = try r.integer("width", default: 144, in: 4...4096)
        c.heads = try r.integer("heads", default: 4, in: 1...64)
        guard c.width % c.heads == 0 else { throw r.error("heads", "must divide model.width (\(c.width))") }
        c.layers = try r.integer("layers", default: 4, in: 1...48)
        c.feedForwardWidth = try r.integer("feedForwardWidth", default: 4 * c.width, in: 1...65_536)
        c.normPlacement = NormPlacement(rawValue: try r.choice("norm", default: "preNorm", among: ["preNorm", "postNorm"]))!
        c.dropout = Float(try r.number("dropout", default: 0, in: 0...0.9))
        c.ctcWeight = try r.number("ctcWeight", default: 1, in: 0...1, excludingLowerBound: true)
        if c.ctcWeight < 1 {
            c.decoderLayers = try r.integer("decoderLayers", default: 1, in: 1...12)
        } else if r.contains("decoderLayers") {
            throw r.error("decoderLayers", "applies only when model.ctcWeight < 1 (λ = 1 is pure CTC, with no decoder)")
        }
        try r.finish()
        guard let initialWeights else { return (c, nil) }
        return (c, try checkpointFile(initialWeights, shape: SpeechRecognitionModel.shape(of: c), baseFolder: baseFolder,
                                      reader: r))
    }
}

/// A speech task made ready to run from a scenario: the task, the training speakers and the held-out
/// evaluation on speakers none of the training ones is.
package struct SpeechRecognitionSetup {
    package var task: SpeechRecognitionTask
    package var training: SpeakerFolder
    package var heldOut: HeldOutEvaluation<SpeechRecognitionTask>
}

extension Scenario {
    /// Opens the scenario's speaker folders and builds its speech task; the held-out speakers' features
    /// are computed once, here.
    package func speechRecognitionSetup(_ configuration: SpeechRecognitionTask.Configuration) throws -> SpeechRecognitionSetup {
        guard case let .speakers(trainPath, validationPath) = data else {
            preconditionFailure("Scenario: a speech task without speaker folders (the reader pairs them)")
        }
        let task = SpeechRecognitionTask(configuration: configuration)
        do {
            let training = try SpeakerFolder(path: trainPath), validation = try SpeakerFolder(path: validationPath)
            let heldOut = try HeldOutEvaluation(task: task, population: validation, users: evaluationUsers,
                                                batchSize: evaluationBatchSize)
            return SpeechRecognitionSetup(task: task, training: training, heldOut: heldOut)
        } catch {
            throw ScenarioError(file: file, keyPath: "data", message: error.description)
        }
    }
}
