import Federation
import Kernels
import Learning
import Tasks
import Testing

/// Local training's optimizer terms, checked against what the update rule says they must add.
@Suite struct ClientTrainerTests {
    static let model = LSTMLanguageModel.Configuration(vocabularySize: 60, embeddingSize: 8, hiddenSize: 16)
    static let sentences: [[Int32]] = [[4, 9, 17, 23, 5, 41, 8], [12, 33, 7, 50, 19, 6, 28, 44]]

    /// FedProx's proximal term μ(w − w₀) vanishes on the first step (w = w₀) and on the second adds
    /// −ημ·(w₁ − w₀) to SGD's step, so with two one-row batches Δ_μ − Δ_0 = −ημ·Δ₁, where Δ₁ is the update
    /// after the first batch alone (Li et al. 2020, eq. 2). Checked for the whole model and for a PEU
    /// update vector, which take different paths through the trainer.
    @Test(arguments: [false, true])
    func proximalTermPullsTheSecondStepBackByMuTimesTheFirst(partial: Bool) {
        let learningRate: Float = 0.5, mu: Float = 0.8
        func update(sentences: [[Int32]], proximalMu: Float) -> [Float] {
            let task = LanguageModellingTask(configuration: .init(model: .lstm(Self.model)))
            let model = task.makeModel(seed: 3)
            var round: PartialRound?
            if partial {
                let space = UpdateSpace(shape: task.modelShape, partial: PartialTraining(embeddingRows: .init(rows: 20, rule: .top)))
                round = PartialRound(space: space, rows: (0..<20).map { Int32($0) })
            }
            var training = ClientTraining()
            training.batchSize = 1
            training.shuffle = false
            training.learningRate = learningRate
            training.proximalMu = proximalMu
            let trainer = ClientTrainer(task: task, model: model)
            let global = model.parameters
            return trainer.train(task.localData(for: TextUser(name: "u", sentences: sentences)), userIndex: 0, cohortPosition: 0,
                                 global: global, configuration: training, round: 1, seed: 5, partial: round)
                .delta.flat.scalars
        }
        let firstStep = update(sentences: [Self.sentences[0]], proximalMu: 0)
        let plain = update(sentences: Self.sentences, proximalMu: 0)
        let proximal = update(sentences: Self.sentences, proximalMu: mu)
        var worst: Float = 0, largest: Float = 0
        for i in plain.indices {
            let expected = -learningRate * mu * firstStep[i]
            worst = max(worst, abs(proximal[i] - plain[i] - expected))
            largest = max(largest, abs(expected))
        }
        #expect(largest > 1e-3)
        #expect(worst <= 1e-3 * largest, "largest expected change \(largest), worst error \(worst)")
    }
}
