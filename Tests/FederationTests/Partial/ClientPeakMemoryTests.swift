import Federation
import Learning
import MurmurTestSupport
import Tasks
import XCTest

/// The computed peak memory of a client's task against what the process really allocates for it.
///
/// An XCTest case on purpose: XCTest runs its cases one at a time, so no other test allocates while the
/// heap is read (Swift Testing runs tests in parallel).
final class ClientPeakMemoryTests: XCTestCase {
    /// For a whole-model softmax task and a PEU + NCE task (vocabulary 20 000), the heap growth from before
    /// the client's model exists to just after its first optimizer step — the moment when the global copy,
    /// the model, its gradients, the trained vectors, the optimizer state and the workspace are all live —
    /// is within 10% of `ClientTaskCost.peakMemoryBytes`. The stated factor covers what the cost leaves
    /// out: the client's token rows and index arrays, and allocator rounding. Measured: 1.0008 (whole model,
    /// 39.9 MB) and 1.0017 (PEU + NCE, 10.9 MB).
    func testComputedPeakMatchesTheMeasuredAllocation() throws {
        let configuration = LSTMLanguageModel.Configuration(vocabularySize: 20_000, embeddingSize: 32, hiddenSize: 64)
        let sentences: [[Int32]] = (0..<40).map { (s: Int) -> [Int32] in
            (0..<19).map { (t: Int) -> Int32 in Int32(4 + (s * 19 + t) % 5000) }
        }
        let user = TextUser(name: "u", sentences: sentences)
        var training = ClientTraining()
        training.optimizer = .adam()
        let unigram = UnigramDistribution.rank(vocabularySize: configuration.vocabularySize)
        // GEMM's packing buffers are per thread and allocated on its first call; they are the thread's, not
        // the task's, so one warm-up step on a tiny model allocates them before measuring.
        let warmUp = LSTMLanguageModel(configuration: .init(vocabularySize: 50, embeddingSize: 32, hiddenSize: 64), seed: 1)
        _ = warmUp.lossAndGradient(TokenBatch(inputs: [5, 6], targets: [6, 7], batch: 1, steps: 2), pool: nil)
        for partial in [false, true] {
            let before = HeapProbe.bytesInUse()
            var language = LanguageModellingTask.Configuration(model: .lstm(configuration))
            language.loss = partial ? .noiseContrastive(samples: 64) : .softmax
            let task = LanguageModellingTask(configuration: language, rowFrequencies: partial ? unigram : nil)
            let model = task.makeModel(seed: 1)
            var space: UpdateSpace?
            var round: PartialRound?
            var global = model.parameters  // shares the model's storage until the task writes it, as a download would
            if partial {
                let selection = EmbeddingRowSelection(rows: 2000)
                let built = UpdateSpace(shape: task.modelShape, partial: PartialTraining(embeddingRows: selection))
                space = built
                round = PartialRound(space: built, rows: selection.rows(round: 1, seed: 0, unigram: unigram))
                global = built.initialState(model: model.parameters, seed: 0, keys: [0])
            }
            let trainer = ClientTrainer(task: task, model: model)
            var peak = 0
            trainer.afterFirstStep = { peak = HeapProbe.bytesInUse() }
            let rows = task.localData(for: user)
            let update = trainer.train(rows, userIndex: 0, cohortPosition: 0, global: global,
                                       configuration: training, round: 1, seed: 0, partial: round)
            let (flops, workspace) = task.trainingCost(of: rows, batchSize: training.batchSize, model: model)
            let cost = ClientTaskCost(epochFLOPs: flops, workspaceBytes: workspace, parameterCount: model.parameters.layout.count,
                                      space: space, training: training, bytesUp: 0)
            let measured = Double(peak - before), computed = Double(cost.peakMemoryBytes)
            XCTAssertGreaterThan(update.statistics.steps, 1)
            XCTAssertEqual(measured / computed, 1, accuracy: 0.1,
                           "partial \(partial): measured \(measured) bytes, computed \(computed)")
            withExtendedLifetime((global, update, trainer)) {}
        }
    }

    /// The same check for a speech client (the quickstart's recogniser, 12 utterances of 2–4 s, batches
    /// of 4): the computed peak — the global copy, the model, its gradients, Adam's state and the
    /// model's own workspace for the longest batch — against the heap after the first step. The factor
    /// also covers what the cost leaves out: the speaker's waveforms and each batch's features.
    func testComputedSpeechPeakMatchesTheMeasuredAllocation() throws {
        let configuration = SpeechRecognitionTask.Configuration(model: SpeechRecognitionModel.Configuration())
        let task = SpeechRecognitionTask(configuration: configuration)
        let utterances = (0..<12).map { index -> Utterance in
            let seconds = 2 + Double(index % 5) * 0.5, rate = Double(SpeakerFolder.sampleRate)
            let samples = (0..<Int(seconds * rate)).map { Float(0.3 * sin(Double($0) * (0.05 + 0.01 * Double(index)))) }
            let text = "turn on the light"
            return Utterance(audio: "\(index).wav", text: text, labels: try! Alphabet.english.encode(text),
                             waveform: Waveform(samples: samples, sampleRate: SpeakerFolder.sampleRate))
        }
        let speaker = Speaker(name: "s", utterances: utterances)
        var training = ClientTraining()
        training.optimizer = .adam()
        training.batchSize = 4
        // Warm-up: GEMM's per-thread packing buffers, allocated on the thread's first call.
        let warmUp = task.makeModel(seed: 2)
        _ = warmUp.lossAndGradient(task.batch(task.localData(for: speaker), examples: [0]))
        let data = task.localData(for: speaker)
        let before = HeapProbe.bytesInUse()
        let model = task.makeModel(seed: 1)
        let global = model.parameters
        let trainer = ClientTrainer(task: task, model: model)
        var peak = 0
        trainer.afterFirstStep = { peak = HeapProbe.bytesInUse() }
        let update = trainer.train(data, userIndex: 0, cohortPosition: 0, global: global, configuration: training,
                                   round: 1, seed: 0)
        let (flops, workspace) = task.trainingCost(of: data, batchSize: training.batchSize, model: model)
        let cost = ClientTaskCost(epochFLOPs: flops, workspaceBytes: workspace, parameterCount: model.parameters.layout.count,
                                  training: training, bytesUp: 0)
        let measured = Double(peak - before), computed = Double(cost.peakMemoryBytes)
        XCTAssertEqual(update.statistics.steps, 3)
        XCTAssertEqual(measured / computed, 1, accuracy: 0.15, "measured \(measured) bytes, computed \(computed)")
        withExtendedLifetime((global, update, trainer, warmUp)) {}
    }
}
