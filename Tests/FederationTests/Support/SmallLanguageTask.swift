import Federation
import Learning
import Tasks

/// The small language task the round tests train: an LSTM over a 60-word synthetic language, 300 users.
/// The core is generic over its task; these tests drive it with the first real one.
enum SmallLanguageTask {
    static let model = LanguageModelConfiguration.lstm(.init(vocabularySize: 60, embeddingSize: 8, hiddenSize: 16))
    static let unigram = UnigramDistribution.rank(vocabularySize: 60)
    static let population = SyntheticPopulation(language: SyntheticLanguage(vocabularySize: 60, seed: 1), users: 300, seed: 2)

    /// The task, carrying the rank unigram when PEU or a sampled loss needs it.
    static func task(withUnigram: Bool = false, loss: OutputLoss = .softmax) -> LanguageModellingTask {
        var configuration = LanguageModellingTask.Configuration(model: model)
        configuration.loss = loss
        return LanguageModellingTask(configuration: configuration, rowFrequencies: withUnigram || loss != .softmax ? unigram : nil)
    }
}
