import Foundation
import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct SpeechRecognitionModelTests {
    static func tiny(_ placement: NormPlacement = .preNorm, ctcWeight: Double = 1) -> SpeechRecognitionModel.Configuration {
        .init(featureWidth: 4, classes: 5, convolutionWidth: 6, convolutionKernels: [3], convolutionStrides: [2], width: 8, heads: 2,
              layers: 2, feedForwardWidth: 12, normPlacement: placement, ctcWeight: ctcWeight, decoderLayers: 1, maxFrames: 20)
    }

    /// Three utterances of 11, 8 and 5 input frames (5, 3 and 2 encoder frames); the third's labels need
    /// 4 frames, so it is infeasible and must be left out rather than poison the batch.
    static func batch(featureWidth: Int = 4, seed: UInt64 = 3) -> SpeechBatch {
        var random = TestRandom(seed: seed)
        let frameCounts = [11, 8, 5], maxFrames = 11
        var features = [Float](repeating: 0, count: 3 * maxFrames * featureWidth)
        for (b, frames) in frameCounts.enumerated() {
            for i in 0..<(frames * featureWidth) { features[b * maxFrames * featureWidth + i] = random.uniform() }
        }
        return SpeechBatch(features: features, frameCounts: frameCounts, labels: [[1, 2, 2], [3], [1, 1, 2]],
                           maxFrames: maxFrames, featureWidth: featureWidth)
    }

    /// The whole model's gradient (convolution, projection, encoder blocks, final norm, CTC head and, at
    /// λ = 0.5, the attention decoder) against finite differences of the mean loss.
    @Test(arguments: [(NormPlacement.preNorm, 1.0), (.postNorm, 1.0), (.preNorm, 0.5), (.postNorm, 0.5)])
    func wholeModelGradientMatchesFiniteDifferences(placement: NormPlacement, ctcWeight: Double) {
        let model = SpeechRecognitionModel(configuration: Self.tiny(placement, ctcWeight: ctcWeight), seed: 4)
        let batch = Self.batch()
        let result = model.lossAndGradient(batch, pool: nil)
        #expect(result.infeasibleCount == 1)
        #expect(result.targetCount == 4)
        #expect(result.lossSum.isFinite && result.lossSum > 0)
        #expect((ctcWeight == 1) == (result.attentionSum == 0))
        let analytic = model.gradients.flat.scalars
        let count = model.parameters.layout.count
        let worst = GradientCheck().worstRatio(
            analytic: analytic, indices: LayerHarness.sampleIndices(count, limit: 500),
            value: { model.parameters[flat: $0] }, setValue: { model.parameters[flat: $0] = $1 },
            loss: { model.lossAndGradient(batch, pool: nil).mean })
        #expect(worst <= 1)
    }

    /// λ = 1 builds no decoder tensors; λ < 1 does, and the layout follows the naming of the other models.
    @Test func layoutNamesAndDecoderOnlyWhenWeighted() {
        let pure = SpeechRecognitionModel.shape(of: Self.tiny())
        let joint = SpeechRecognitionModel.shape(of: Self.tiny(ctcWeight: 0.7))
        let names = pure.layout.entries.map(\.name)
        #expect(names.contains("subsampling.0.weight"))
        #expect(names.contains("encoder.block0.attention.qkv.weight"))
        #expect(names.contains("ctc.weight"))
        #expect(!names.contains { $0.hasPrefix("decoder") })
        #expect(joint.layout.entries.contains { $0.name == "decoder.block0.crossAttention.keyValue.weight" })
        #expect(SpeechRecognitionModel(configuration: Self.tiny(), seed: 1).parameters.layout == pure.layout)
        #expect(pure.selectableRows == nil)
    }

    /// Recognition returns each utterance's own frames, normalised log-probabilities, and the CTC losses
    /// that training sums.
    @Test func recogniseMatchesTrainingLoss() {
        let model = SpeechRecognitionModel(configuration: Self.tiny(), seed: 6)
        let batch = Self.batch()
        let training = model.lossAndGradient(batch, pool: nil)
        let outputs = model.recognise(batch, pool: nil)
        #expect(outputs.map(\.frames) == [5, 3, 2])
        for output in outputs {
            for t in 0..<output.frames {
                let total = (0..<5).reduce(0.0) { $0 + exp(Double(output.logProbabilities[t * 5 + $1])) }
                #expect(isClose(total, 1, rtol: 1e-5))
            }
        }
        #expect(!outputs[2].loss.feasible && outputs[2].loss.negativeLogLikelihood == .infinity)
        let sum = outputs[0].loss.negativeLogLikelihood + outputs[1].loss.negativeLogLikelihood
        #expect(isClose(sum, training.ctcSum, rtol: 1e-6))
    }

    /// One seed gives bit-identical gradients on one thread and on two (dropout on, decoder present).
    @Test func twoThreadsAreBitIdentical() {
        var configuration = Self.tiny(ctcWeight: 0.5)
        configuration.dropout = 0.2
        let single = SpeechRecognitionModel(configuration: configuration, seed: 8)
        let double = SpeechRecognitionModel(configuration: configuration, seed: 8)
        single.beginTraining(randomSeed: 77)
        double.beginTraining(randomSeed: 77)
        let batch = Self.batch()
        let a = single.lossAndGradient(batch, pool: nil), b = double.lossAndGradient(batch, pool: ThreadPool(threadCount: 2))
        #expect(a == b)
        #expect(single.gradients == double.gradients)
    }
}
