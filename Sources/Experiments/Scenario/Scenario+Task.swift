import Federation
import Learning
import Tasks

/// The task a scenario runs, with its own configuration: what the scenario's `task` key selects
/// (`languageModelling`, the default, or `speechRecognition`). The runner opens it into a concrete
/// `FederatedTask` and runs the one generic round.
package enum TaskSpecification: Sendable, Equatable {
    /// Next-token language modelling (`model.kind` lstm or transformer) on federated text.
    case languageModelling(LanguageModellingTask.Configuration)
    /// Speech recognition (a CTC transformer, optionally with an attention decoder) on federated speakers.
    case speechRecognition(SpeechRecognitionTask.Configuration)

    /// The values of the scenario's `task` key.
    package static let names = ["languageModelling", speechRecognitionName]
    package static let speechRecognitionName = "speechRecognition"

    /// The task's metrics, the primary one first.
    package var metrics: [TaskMetric] {
        switch self {
        case .languageModelling: LanguageModellingTask.metrics
        case .speechRecognition: SpeechEvaluation.metrics
        }
    }

    /// The model's layout and its adaptable and selectable tensors, without building it.
    package var modelShape: ModelShape {
        switch self {
        case let .languageModelling(configuration): configuration.model.shape
        case let .speechRecognition(configuration): SpeechRecognitionModel.shape(of: configuration.model)
        }
    }

    /// `evaluation.batchSize` when the scenario does not set it: for text the clients' batch, so
    /// evaluation runs in the workspace training already holds (a 128-row batch made each thread's
    /// workspace 43 MB instead of 12 MB at the stackoverflow shape); for speech 16 utterances.
    package func defaultEvaluationBatchSize(clientBatchSize: Int) -> Int {
        switch self {
        case .languageModelling: clientBatchSize
        case .speechRecognition: 16
        }
    }

    /// Every task's metrics, for reading a run folder that has no summary yet (told apart by the primary
    /// metric: both tasks have a `validationLoss`).
    package static let allMetrics: [[TaskMetric]] = [LanguageModellingTask.metrics, SpeechEvaluation.metrics]
}

/// A value of one of the task's metrics that a run aims for: the summary reports when it was first
/// reached (time-to-target), in rounds, wall time and simulated time.
package struct EvaluationTarget: Sendable, Equatable {
    package var metric: TaskMetric
    package var value: Double
}

extension Scenario {
    /// Reads `evaluation.target` ({"metric": NAME, "value": X}) or its language-task synonym
    /// `evaluation.targetPerplexity` (X), checking the metric is one the task yields.
    static func readTarget(_ r: ScenarioReader, metrics: [TaskMetric]) throws(ScenarioError) -> EvaluationTarget? {
        r.declare(["target", "targetPerplexity"])
        if r.contains("target") && r.contains("targetPerplexity") {
            throw r.error("targetPerplexity", "give either evaluation.target or its synonym targetPerplexity, not both")
        }
        if r.contains("targetPerplexity") {
            guard let perplexity = metrics.first(where: { $0.name == "validationPerplexity" }) else {
                throw r.error("targetPerplexity", "this task has no perplexity; use evaluation.target with a metric among "
                    + metrics.map(\.name).joined(separator: ", "))
            }
            let value = try r.number("targetPerplexity", default: 0, in: 1...1e9, excludingLowerBound: true)
            return EvaluationTarget(metric: perplexity, value: value)
        }
        guard r.contains("target") else { return nil }
        let t = try r.section("target")
        let name = try t.choice("metric", default: metrics[0].name, among: metrics.map(\.name))
        let metric = metrics.first { $0.name == name }!
        guard t.contains("value") else { throw t.error("value", "required: the value of \(name) to reach") }
        let value = try t.number("value", default: 0, in: -1e12...1e12)
        try t.finish()
        return EvaluationTarget(metric: metric, value: value)
    }
}

/// A language task made ready to run from a scenario: the task (with the public unigram it needs), the
/// training users and the held-out evaluation.
package struct LanguageModellingSetup {
    package var task: LanguageModellingTask
    package var training: any Population<TextUser>
    package var heldOut: HeldOutEvaluation<LanguageModellingTask>
}

extension Scenario {
    /// Opens the scenario's text data and builds its language task: PEU and the sampled losses get the
    /// public unigram, from word ranks or from the held-out batches (`data.unigram`).
    package func languageModellingSetup(_ configuration: LanguageModellingTask.Configuration) throws -> LanguageModellingSetup {
        let (train, validation) = try textPopulations()
        let task = LanguageModellingTask(configuration: configuration)
        let heldOut = try HeldOutEvaluation(task: task, population: validation, users: evaluationUsers,
                                            batchSize: evaluationBatchSize)
        let needsUnigram = training.partial.embeddingRows != nil || configuration.loss != .softmax
        guard needsUnigram else { return LanguageModellingSetup(task: task, training: train, heldOut: heldOut) }
        let unigram = LanguageModellingTask.unigram(configuration, heldOut: heldOut)
        return LanguageModellingSetup(task: LanguageModellingTask(configuration: configuration, rowFrequencies: unigram),
                                      training: train, heldOut: heldOut)
    }
}

extension Scenario {
    /// The language task's configuration, when the scenario runs one.
    package var languageModelling: LanguageModellingTask.Configuration? {
        if case let .languageModelling(configuration) = task { configuration } else { nil }
    }

    /// The speech task's configuration, when the scenario runs one.
    package var speechRecognition: SpeechRecognitionTask.Configuration? {
        if case let .speechRecognition(configuration) = task { configuration } else { nil }
    }
}
