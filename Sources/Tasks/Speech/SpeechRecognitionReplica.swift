import Federation
import Kernels
import Learning

/// A speech recogniser as the federated core trains it: the acoustic model (`Learning`) with the task's
/// training-time SpecAugment, whose masks are drawn here because only the model knows the training
/// stream of the client it is training for.
///
/// Masks are keyed by (the seed `beginTraining` was given, the local step, the utterance's place in its
/// batch), so a client masks the same cells on any thread and after a resume.
package final class SpeechRecognitionReplica: TrainableModel {
    package let base: SpeechRecognitionModel
    package let augment: SpecAugment?
    private var trainingSeed: UInt64 = 0
    private var step: UInt64 = 0

    package init(_ base: SpeechRecognitionModel, augment: SpecAugment?) {
        self.base = base
        self.augment = augment
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

    package func beginTraining(randomSeed: UInt64) {
        base.beginTraining(randomSeed: randomSeed)
        trainingSeed = randomSeed
        step = 0
    }

    package func lossAndGradient(_ batch: SpeechBatch) -> BatchLoss {
        defer { step += 1 }
        guard let augment else {
            let loss = base.lossAndGradient(batch, pool: nil)
            return BatchLoss(sum: loss.lossSum, count: loss.targetCount)
        }
        var masked = batch
        mask(&masked, with: augment)
        let loss = base.lossAndGradient(masked, pool: nil)
        return BatchLoss(sum: loss.lossSum, count: loss.targetCount)
    }

    /// SpecAugment on each utterance's own frames (padding stays zero).
    private func mask(_ batch: inout SpeechBatch, with augment: SpecAugment) {
        let width = batch.featureWidth, stride = batch.maxFrames * width
        let frameCounts = batch.frameCounts
        batch.features.withUnsafeMutableBufferPointer { values in
            for (index, frames) in frameCounts.enumerated() where frames > 0 {
                var stream = RandomStream(seed: trainingSeed, keys: [0x5BEC, step, UInt64(index)])
                let (frequency, time) = augment.drawMasks(frames: frames, dimension: width, stream: &stream)
                let utterance = values.baseAddress! + index * stride
                for band in frequency where band.count > 0 {
                    for frame in 0..<frames {
                        (utterance + frame * width + band.start).update(repeating: 0, count: band.count)
                    }
                }
                for run in time where run.count > 0 {
                    (utterance + run.start * width).update(repeating: 0, count: run.count * width)
                }
            }
        }
    }
}
