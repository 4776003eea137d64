import Learning

/// The centralised training recipe the model and loss tests share: a synthetic Markov corpus (vocabulary
/// 60, 3 likely successors per token), 1000 sentences to train on and 200 held out, and an LSTM trained
/// with Adam over it, so each test states only the loss it trains with and the bound it asks for.
struct MarkovCorpusTraining {
    static let vocabularySize = 60
    let train: [TokenBatch]
    let heldOut: [TokenBatch]

    init() {
        let corpus = SyntheticCorpus(vocabularySize: Self.vocabularySize, sentences: 1200, seed: 5)
        train = corpus.batches(steps: 20, batchSize: 16, sentences: 0..<1000)
        heldOut = corpus.batches(steps: 20, batchSize: 50, sentences: 1000..<1200)
    }

    /// The held-out targets' unigram perplexity: the bar any model that learned context must clear (21.5).
    var unigramPerplexity: Double { SyntheticCorpus.unigramPerplexity(of: heldOut) }

    /// An LSTM (embedding 32, hidden 64) trained for `epochs` passes at Adam learning rate 0.01 with
    /// `loss`; a sampled loss draws its noise words from the training targets' unigram counts.
    func trainedModel(loss: OutputLoss = .softmax, epochs: Int = 6) -> LSTMLanguageModel {
        let model = LSTMLanguageModel(
            configuration: .init(vocabularySize: Self.vocabularySize, embeddingSize: 32, hiddenSize: 64), seed: 1)
        if loss != .softmax {
            let targets = train.flatMap(\.targets)
            model.useTrainingLoss(loss, noise: .counts(of: targets, vocabularySize: Self.vocabularySize))
        }
        model.beginTraining(randomSeed: 7)
        let optimizer = OptimizerConfiguration.adam().makeOptimizer(layout: model.parameters.layout)
        for _ in 0..<epochs {
            for batch in train {
                _ = model.lossAndGradient(batch, pool: nil)
                optimizer.step(parameters: &model.parameters, gradients: model.gradients, learningRate: 0.01)
            }
        }
        return model
    }

    /// The exact-softmax perplexity and accuracy of `model` on the held-out sentences.
    func heldOutEvaluation(of model: LSTMLanguageModel) -> LanguageModelEvaluation {
        var evaluation = LanguageModelEvaluation()
        for batch in heldOut { model.evaluate(batch, into: &evaluation, pool: nil) }
        return evaluation
    }
}
