import Federation
import Kernels
import Learning

/// Federated language modelling: users hold sentences, clients train a next-token model on rows of
/// `<bos>` + sentence / sentence + `<eos>`, and held-out users score perplexity and top-k accuracy
/// (the StackOverflow benchmark of pfl-research and Xu et al. 2022).
///
/// The unigram distribution a task may carry is public (word ranks, or held-out counts): partial
/// embedding updates choose rows by it, and the sampled losses draw their noise words from it.
package struct LanguageModellingTask: FederatedTask {
    /// The model and how a user's sentences become rows: what a language scenario sets besides the
    /// federated keys.
    package struct Configuration: Sendable, Equatable, Codable {
        package var model: LanguageModelConfiguration
        /// Sentences of a user that local training uses (the first ones).
        package var maxSentences = 64
        /// Tokens a row holds (longer sentences are cut, shorter ones padded).
        package var sequenceLength = 20
        /// The training loss over the output layer (evaluation always uses the exact softmax).
        package var loss = OutputLoss.softmax
        /// Where the public word frequencies come from, when PEU or a sampled loss needs them.
        package var unigramSource = UnigramDistribution.Source.rank

        package init(model: LanguageModelConfiguration) {
            self.model = model
        }
    }

    package let configuration: Configuration
    package let modelShape: ModelShape
    /// The public unigram estimate PEU ranks rows by and the sampled losses draw noise from.
    package let rowFrequencies: UnigramDistribution?

    /// - Parameter rowFrequencies: the public unigram; models for a sampled loss need it (a task without
    ///   it can still cut and score evaluation batches).
    package init(configuration: Configuration, rowFrequencies: UnigramDistribution? = nil) {
        self.configuration = configuration
        self.rowFrequencies = rowFrequencies
        modelShape = configuration.model.shape
    }

    package func makeModel(seed: UInt64) -> LanguageModelReplica {
        let model = configuration.model.makeModel(seed: seed)
        model.useTrainingLoss(configuration.loss, noise: rowFrequencies)
        return LanguageModelReplica(model)
    }

    package func localData(for user: TextUser) -> SentenceRows {
        SentenceRows(sentences: user.sentences, steps: configuration.sequenceLength, maxSentences: configuration.maxSentences)
    }

    package func batch(_ data: SentenceRows, examples indices: ArraySlice<Int>) -> TokenBatch {
        data.batch(rows: indices)
    }

    package func trainingCost(of rows: SentenceRows, batchSize: Int, model: LanguageModelReplica)
        -> (flops: Double, workspaceBytes: Int) {
        let count = rows.count, steps = configuration.sequenceLength
        let fullBatches = count / batchSize, lastBatch = count % batchSize
        var flops = Double(fullBatches) * model.base.trainingFLOPs(batch: batchSize, steps: steps)
        if lastBatch > 0 { flops += model.base.trainingFLOPs(batch: lastBatch, steps: steps) }
        let workspace = count == 0 ? 0 : model.base.trainingWorkspaceBytes(batch: min(count, batchSize), steps: steps)
        return (flops, workspace)
    }

    /// The users' rows (at most `maxSentences` each), concatenated in user order and cut into batches
    /// of `batchSize` rows.
    package func evaluationBatches(users: [TextUser], batchSize: Int) -> [TokenBatch] {
        let steps = configuration.sequenceLength
        var inputs: [Int32] = [], targets: [Int32] = []
        for user in users {
            let rows = localData(for: user)
            inputs += rows.inputs
            targets += rows.targets
        }
        let rowCount = inputs.count / steps
        return stride(from: 0, to: rowCount, by: batchSize).map { start in
            let end = min(start + batchSize, rowCount)
            return TokenBatch(inputs: Array(inputs[(start * steps)..<(end * steps)]),
                              targets: Array(targets[(start * steps)..<(end * steps)]), batch: end - start, steps: steps)
        }
    }

    package func evaluate(_ batch: TokenBatch, model: LanguageModelReplica, into evaluation: inout LanguageModelEvaluation) {
        model.base.evaluate(batch, into: &evaluation, pool: nil)
    }

    package var metrics: [TaskMetric] { Self.metrics }

    /// Validation perplexity (the primary metric), mean loss, and next-token top-1 / top-3 accuracy.
    package static let metrics = [
        TaskMetric(name: "validationPerplexity", lowerIsBetter: true, label: "validation perplexity"),
        TaskMetric(name: "validationLoss", lowerIsBetter: true, label: "validation loss"),
        TaskMetric(name: "top1Accuracy", lowerIsBetter: false, label: "top-1 accuracy", isHeadline: true),
        TaskMetric(name: "top3Accuracy", lowerIsBetter: false, label: "top-3 accuracy"),
    ]

    /// The public unigram distribution for PEU and the sampled losses, from word ranks or from the
    /// held-out evaluation batches' targets, as `configuration.unigramSource` says.
    package static func unigram(_ configuration: Configuration, heldOut: HeldOutEvaluation<Self>) -> UnigramDistribution {
        let vocabulary = configuration.model.vocabularySize
        switch configuration.unigramSource {
        case .rank: return .rank(vocabularySize: vocabulary)
        case .heldOut: return .counts(of: heldOut.batches.flatMap(\.targets), vocabularySize: vocabulary)
        }
    }
}

extension LanguageModelEvaluation: TaskEvaluation {
    package var values: [String: Double] {
        ["validationPerplexity": perplexity, "validationLoss": meanLoss, "top1Accuracy": top1Accuracy,
         "top3Accuracy": top3Accuracy]
    }
}

extension SentenceRows: LocalDataset {
    package var exampleCount: Int { count }
    package var targetCount: Int { tokenCount }
}
