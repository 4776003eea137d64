import Foundation
import Kernels

/// A batch of next-token examples: `batch` rows of `steps` tokens, batch-major, padded with the padding id.
package struct TokenBatch: Sendable, Equatable {
    package var inputs: [Int32]
    package var targets: [Int32]
    package let batch: Int
    package let steps: Int

    package init(inputs: [Int32], targets: [Int32], batch: Int, steps: Int) {
        precondition(inputs.count == batch * steps && targets.count == batch * steps, "TokenBatch: sizes")
        self.inputs = inputs
        self.targets = targets
        self.batch = batch
        self.steps = steps
    }
}

/// Evaluation totals of a language model over some batches: summed NLL, counted tokens, top-k hits.
package struct LanguageModelEvaluation: Sendable, Equatable {
    package var negativeLogLikelihood = 0.0
    package var tokens = 0
    package var top1Hits = 0
    package var top3Hits = 0

    package init() {}

    /// Adds one batch's outcome from `SoftmaxCrossEntropy.evaluate`.
    package mutating func record(_ outcome: (result: SoftmaxCrossEntropy.Result, top1: Int, top3: Int)) {
        negativeLogLikelihood += outcome.result.negativeLogLikelihood
        tokens += outcome.result.count
        top1Hits += outcome.top1
        top3Hits += outcome.top3
    }

    /// Adds another evaluation's totals (callers add in a fixed order for determinism).
    package mutating func add(_ other: LanguageModelEvaluation) {
        negativeLogLikelihood += other.negativeLogLikelihood
        tokens += other.tokens
        top1Hits += other.top1Hits
        top3Hits += other.top3Hits
    }

    package var meanLoss: Double { tokens == 0 ? 0 : negativeLogLikelihood / Double(tokens) }
    package var perplexity: Double { exp(meanLoss) }
    package var top1Accuracy: Double { tokens == 0 ? 0 : Double(top1Hits) / Double(tokens) }
    package var top3Accuracy: Double { tokens == 0 ? 0 : Double(top3Hits) / Double(tokens) }
}

/// A next-token language model with hand-written backward: what the federated client trains.
///
/// `parameters` and `gradients` share one layout; `lossAndGradient` overwrites `gradients` with the
/// gradient of the mean loss over the batch's non-padding targets.
package protocol LanguageModel: AnyObject {
    var parameters: ParameterSet { get set }
    /// Settable so a trainer can add terms (a FedProx proximal term) in place before the optimizer step.
    var gradients: ParameterSet { get set }
    var vocabularySize: Int { get }

    /// The tied input/output embedding table (vocabulary × width): what partial embedding updates select rows of.
    var embeddingWeight: ParameterLayout.Entry { get }

    /// The weight matrices (out × in) low-rank adapters attach to: every dense layer's weight, not the
    /// embedding, biases or norms.
    var adaptableMatrices: [ParameterLayout.Entry] { get }

    /// Sets the loss `lossAndGradient` trains with; a sampled one draws its noise words from `noise`.
    func useTrainingLoss(_ loss: OutputLoss, noise: UnigramDistribution?)

    /// Keys the randomness of the training steps that follow (dropout) to `randomSeed`, from step 0, so a
    /// client's training does not depend on what the same model object trained before.
    func beginTraining(randomSeed: UInt64)

    /// Forward and backward on one batch; returns the summed NLL and the counted targets.
    func lossAndGradient(_ batch: TokenBatch, pool: ThreadPool?) -> SoftmaxCrossEntropy.Result

    /// Forward only, adding the batch's NLL and top-k hits to `evaluation`.
    func evaluate(_ batch: TokenBatch, into evaluation: inout LanguageModelEvaluation, pool: ThreadPool?)

    /// Multiply-adds of one training step (forward + backward) on a batch of this shape, for FLOP counts.
    func trainingFLOPs(batch: Int, steps: Int) -> Double

    /// Bytes of the activations, their gradients and the scratch one training step on a batch of this
    /// shape allocates (the workspace), for a client's peak-memory estimate.
    func trainingWorkspaceBytes(batch: Int, steps: Int) -> Int

    /// Bytes of the workspace this model holds now (zero before its first step): what
    /// `trainingWorkspaceBytes` must predict, checked by the tests.
    var allocatedWorkspaceBytes: Int { get }
}
