import Learning
import Testing

/// A client's peak-memory estimate rests on each model predicting its own workspace: checked against
/// what the model actually allocates for the same batch shape.
@Suite struct TrainingWorkspaceBytesTests {
    static func batch(rows: Int, steps: Int, vocabulary: Int) -> TokenBatch {
        let ids = (0..<(rows * steps)).map { Int32(1 + $0 % (vocabulary - 1)) }
        return TokenBatch(inputs: ids, targets: ids.reversed(), batch: rows, steps: steps)
    }

    @Test(arguments: [(1, 2), (16, 20), (5, 7)])
    func lstmPredictsWhatItAllocates(rows: Int, steps: Int) {
        let model = LSTMLanguageModel(configuration: .init(vocabularySize: 97, embeddingSize: 12, hiddenSize: 20), seed: 1)
        #expect(model.allocatedWorkspaceBytes == 0)
        _ = model.lossAndGradient(Self.batch(rows: rows, steps: steps, vocabulary: 97), pool: nil)
        #expect(model.allocatedWorkspaceBytes == model.trainingWorkspaceBytes(batch: rows, steps: steps))
        #expect(model.trainingWorkspaceBytes(batch: rows, steps: steps) > 4 * rows * steps * 97)  // the logits alone
    }

    @Test(arguments: [(1, 2), (8, 16), (3, 5)])
    func transformerPredictsWhatItAllocates(rows: Int, steps: Int) {
        let model = TransformerLanguageModel(configuration: .init(vocabularySize: 61, width: 16, heads: 4, layers: 2,
                                                                  maxSteps: 16, dropout: 0.1), seed: 1)
        _ = model.lossAndGradient(Self.batch(rows: rows, steps: steps, vocabulary: 61), pool: nil)
        #expect(model.allocatedWorkspaceBytes == model.trainingWorkspaceBytes(batch: rows, steps: steps))
    }
}
