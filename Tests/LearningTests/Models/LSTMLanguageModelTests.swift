import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct LSTMLanguageModelTests {
    /// The whole model's gradient (tied output, projection, LSTM, sparse embedding) against finite
    /// differences of the mean cross-entropy on a tiny model, padding included.
    @Test func wholeModelGradientMatchesFiniteDifferences() {
        let model = LSTMLanguageModel(
            configuration: .init(vocabularySize: 11, embeddingSize: 4, hiddenSize: 5), seed: 9)
        // Scale the N(0, 1) embedding down so the softmax is not saturated (finite differences stay smooth).
        model.parameters.withUnsafeMutableBufferPointer { p in
            for i in 0..<(11 * 4) { p[i] *= 0.3 }
        }
        let batch = TokenBatch(inputs: [2, 5, 7, 9, 2, 6, 10, 0], targets: [5, 7, 9, 3, 6, 10, 3, 0], batch: 2, steps: 4)
        _ = model.lossAndGradient(batch, pool: nil)
        let analytic = model.gradients.flat.scalars
        func loss() -> Double { model.lossAndGradient(batch, pool: nil).mean }
        let count = model.parameters.layout.count
        let worst = GradientCheck().worstRatio(
            analytic: analytic, indices: LayerHarness.sampleIndices(count, limit: 300),
            value: { model.parameters[flat: $0] }, setValue: { model.parameters[flat: $0] = $1 }, loss: loss)
        #expect(worst <= 1)
    }

    /// Centralised training on a synthetic Markov corpus (vocab 60, 3 likely successors per token) drives
    /// held-out perplexity far below the unigram perplexity of the same targets. Measured: unigram 21.5,
    /// model 7.02 (top-1 0.30) after 6 epochs, near the chain's own entropy; the test asks for < unigram/2.5.
    @Test func trainingBeatsUnigramPerplexity() {
        let recipe = MarkovCorpusTraining()
        let evaluation = recipe.heldOutEvaluation(of: recipe.trainedModel())
        let unigram = recipe.unigramPerplexity
        #expect(unigram > 20)
        #expect(evaluation.perplexity < unigram / 2.5, "perplexity \(evaluation.perplexity) vs unigram \(unigram)")
        #expect(evaluation.top1Accuracy > 0.25)
    }
}
