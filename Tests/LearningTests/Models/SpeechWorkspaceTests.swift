import Kernels
import Learning
import Testing

/// The speech model's memory: what it predicts is what it allocates, and attention adds no
/// batch × heads × T × T term (the promise that lets 30 s utterances train on a phone-sized budget).
@Suite struct SpeechWorkspaceTests {
    static func batch(utterances: Int, frames: Int, labelLength: Int, featureWidth: Int) -> SpeechBatch {
        SpeechBatch(features: [Float](repeating: 0.1, count: utterances * frames * featureWidth),
                    frameCounts: [Int](repeating: frames, count: utterances),
                    labels: [[Int32]](repeating: (0..<labelLength).map { Int32(1 + $0 % 4) }, count: utterances),
                    maxFrames: frames, featureWidth: featureWidth)
    }

    @Test(arguments: [(1, 20, 3), (3, 41, 7), (2, 9, 1)])
    func predictsWhatItAllocates(utterances: Int, frames: Int, labelLength: Int) {
        for ctcWeight in [1.0, 0.6] {
            let model = SpeechRecognitionModel(configuration: SpeechRecognitionModelTests.tiny(ctcWeight: ctcWeight), seed: 1)
            #expect(model.allocatedWorkspaceBytes == 0)
            _ = model.lossAndGradient(Self.batch(utterances: utterances, frames: frames, labelLength: labelLength, featureWidth: 4),
                                      pool: nil)
            #expect(model.allocatedWorkspaceBytes == model.trainingWorkspaceBytes(batch: utterances, frames: frames,
                                                                                   labelLength: labelLength))
        }
    }

    /// 30 s (3000 input frames, 998 encoder frames) really runs and allocates what it predicts, and the
    /// quickstart encoder's workspace has no H·T² or B·T² term: doubling the heads adds only the
    /// per-row log-sum-exps, and the cost of one more utterance grows linearly with its length.
    @Test func thirtySecondsStaysLinear() {
        var small = SpeechRecognitionModelTests.tiny()
        small.layers = 1
        let model = SpeechRecognitionModel(configuration: small, seed: 2)
        let loss = model.lossAndGradient(Self.batch(utterances: 2, frames: 3000, labelLength: 20, featureWidth: 4), pool: nil)
        #expect(loss.lossSum.isFinite && loss.infeasibleCount == 0)
        #expect(model.allocatedWorkspaceBytes == model.trainingWorkspaceBytes(batch: 2, frames: 3000, labelLength: 20))

        let quickstart = SpeechRecognitionModel.Configuration()
        func bytes(_ configuration: SpeechRecognitionModel.Configuration, batch: Int, frames: Int) -> Int {
            SpeechRecognitionModel(configuration: configuration, seed: 1).trainingWorkspaceBytes(batch: batch, frames: frames, labelLength: 300)
        }
        var eightHeads = quickstart
        eightHeads.heads = 8
        let frames = 3000, steps = 998, rows = 8 * steps
        #expect(bytes(eightHeads, batch: 8, frames: frames) - bytes(quickstart, batch: 8, frames: frames) == 4 * rows * 4 * quickstart.layers)
        let perUtteranceLong = bytes(quickstart, batch: 9, frames: frames) - bytes(quickstart, batch: 8, frames: frames)
        let perUtteranceHalf = bytes(quickstart, batch: 9, frames: 1500) - bytes(quickstart, batch: 8, frames: 1500)
        #expect(Double(perUtteranceLong) / Double(perUtteranceHalf) < 2.02)
        // The stated bound: 8 × 30 s trains in under 400 MB of workspace; the B·H·T² probabilities of
        // 4 layers alone would need 4 · 8 · 4 · 998² · 4 B = 510 MB.
        #expect(bytes(quickstart, batch: 8, frames: frames) < 400_000_000)
    }
}
