import Federation
import Foundation
import Learning
import Tasks

extension Scenario {
    /// What the language task's sections resolve to.
    struct LanguageModellingSections {
        var data: DataSource
        var maxSentencesGenerated: Int
        var configuration: LanguageModellingTask.Configuration
        var initialWeights: String?
    }

    /// Reads the sections a language task reads its own way — `data` (text), `model` (lstm or transformer),
    /// the rows and loss in `clients`, `peu` and `lora` — and the federated client keys into `training`.
    static func readLanguageModelling(_ root: ScenarioReader, clients: ScenarioReader, baseFolder: URL,
                                      training: inout FederatedTrainingConfiguration) throws(ScenarioError)
        -> LanguageModellingSections {
        let dataSection = try root.section("data")
        let unigramSource = UnigramDistribution.Source(rawValue: try dataSection.choice(
            "unigram", default: "rank", among: UnigramDistribution.Source.allCases.map(\.rawValue)))!
        let (data, maxSentencesGenerated) = try readData(dataSection, baseFolder: baseFolder)
        let vocabularySize = try vocabularySize(of: data, reader: dataSection)

        let (model, initialWeights) = try readModel(try root.section("model"), vocabularySize: vocabularySize,
                                                    baseFolder: baseFolder)
        var language = LanguageModellingTask.Configuration(model: model)
        language.unigramSource = unigramSource
        let memoryLimit = try readLoss(clients, model: model, vocabularySize: vocabularySize, task: &language)
        (training.sampling, training.client) = try readClients(clients, population: populationSize(data), task: &language)
        training.userOrder = try readUserOrder(clients, root: root, data: data, sampling: training.sampling)
        training.client.memoryLimitBytes = memoryLimit
        try readPartial(root, training: &training, shape: model.shape, vocabularySize: vocabularySize)
        if case let .transformer(configuration) = model, language.sequenceLength > configuration.maxSteps {
            throw clients.error("sequenceLength", "\(language.sequenceLength) exceeds model.maxSteps "
                + "(\(configuration.maxSteps))")
        }
        return LanguageModellingSections(data: data, maxSentencesGenerated: maxSentencesGenerated, configuration: language,
                                         initialWeights: initialWeights)
    }
}
