/// Which language model to build and its sizes: what a scenario's `model` section resolves to.
package enum LanguageModelConfiguration: Sendable, Equatable, Codable {
    case lstm(LSTMLanguageModel.Configuration)
    case transformer(TransformerLanguageModel.Configuration)

    /// A model with fresh weights drawn from `seed`; the same seed gives the same weights.
    package func makeModel(seed: UInt64) -> any LanguageModel {
        switch self {
        case let .lstm(configuration): LSTMLanguageModel(configuration: configuration, seed: seed)
        case let .transformer(configuration): TransformerLanguageModel(configuration: configuration, seed: seed)
        }
    }

    /// The vocabulary size the model was configured with.
    package var vocabularySize: Int {
        switch self {
        case let .lstm(configuration): configuration.vocabularySize
        case let .transformer(configuration): configuration.vocabularySize
        }
    }
}

extension LanguageModelConfiguration {
    /// The model's layout and its adaptable and selectable tensors, without building it.
    package var shape: ModelShape {
        switch self {
        case let .lstm(configuration): LSTMLanguageModel.shape(of: configuration)
        case let .transformer(configuration): TransformerLanguageModel.shape(of: configuration)
        }
    }
}
