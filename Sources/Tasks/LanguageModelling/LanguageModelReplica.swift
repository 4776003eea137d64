import Federation
import Kernels
import Learning

/// A language model as the federated core trains it: one owner of an LSTM or transformer language
/// model (`Learning`), so both families are one `TrainableModel` type.
package final class LanguageModelReplica: TrainableModel {
    package let base: any LanguageModel

    package init(_ base: any LanguageModel) {
        self.base = base
    }

    // `_modify` hands out the model's own storage, so an optimizer step in place does not copy it.
    package var parameters: ParameterSet {
        get { base.parameters }
        _modify { yield &base.parameters }
        set { base.parameters = newValue }
    }

    package var gradients: ParameterSet {
        get { base.gradients }
        _modify { yield &base.gradients }
        set { base.gradients = newValue }
    }

    package func beginTraining(randomSeed: UInt64) { base.beginTraining(randomSeed: randomSeed) }

    package func lossAndGradient(_ batch: TokenBatch) -> BatchLoss {
        let result = base.lossAndGradient(batch, pool: nil)
        return BatchLoss(sum: result.negativeLogLikelihood, count: result.count)
    }
}
