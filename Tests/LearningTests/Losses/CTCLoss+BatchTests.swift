import Learning
import MurmurTestSupport
import Testing

@Suite struct CTCLossBatchTests {
    static let maxFrames = 6, classes = 4
    static let frameCounts = [5, 3, 6, 0]
    static let labels: [[Int32]] = [[1, 2], [1, 1, 2], [3], []]  // the second needs 4 frames: infeasible

    static func batch(_ logits: [Float]) -> (CTCLoss.BatchResult, [Float]) {
        var gradient = logits
        var workspace = [Double](repeating: .nan, count: CTCLoss.batchWorkspaceCount(frames: maxFrames, labels: 3, classes: classes))
        let result = CTCLoss.batchLossAndGradient(logits: &gradient, maxFrames: maxFrames, classes: classes,
                                                  frameCounts: frameCounts, labels: labels, workspace: &workspace)
        return (result, gradient)
    }

    /// The batch is the per-sequence loss summed over feasible sequences, and each feasible sequence's
    /// gradient divided by the batch's target count; padding and the infeasible sequence get zeros.
    @Test func batchIsTheSumOfItsFeasibleSequences() {
        var random = TestRandom(seed: 12)
        let logits = random.floats(4 * Self.maxFrames * Self.classes, -2, 2)
        let (result, gradient) = Self.batch(logits)
        #expect(result.targetCount == 3 && result.infeasibleCount == 1)
        var expectedSum = 0.0
        for b in [0, 2, 3] {
            let frames = Self.frameCounts[b], start = b * Self.maxFrames * Self.classes
            var single = Array(logits[start..<(start + frames * Self.classes)])
            var workspace = [Double](repeating: 0, count: CTCLoss.workspaceCount(frames: frames, labels: Self.labels[b].count, classes: Self.classes))
            let one = Self.labels[b].withUnsafeBufferPointer {
                CTCLoss.lossAndGradient(logits: &single, frames: frames, classes: Self.classes, labels: $0, workspace: &workspace)
            }
            expectedSum += one.negativeLogLikelihood
            let batched = Array(gradient[start..<(start + frames * Self.classes)])
            #expect(worstCloseness(batched, single.map { $0 / 3 }, rtol: 1e-6, atol: 1e-7) <= 1)
        }
        #expect(isClose(result.negativeLogLikelihood, expectedSum, rtol: 1e-12))
        #expect(isClose(result.mean, expectedSum / 3, rtol: 1e-12))
        for b in 0..<4 {
            let start = b * Self.maxFrames * Self.classes
            let unused = b == 1 ? 0 : Self.frameCounts[b] * Self.classes
            #expect(gradient[(start + unused)..<(start + Self.maxFrames * Self.classes)].allSatisfy { $0 == 0 })
        }
    }

    /// The gradient of the mean loss against central differences over every logit of the batch, padding
    /// and the infeasible sequence included (their numeric derivative is 0). h = 1e-2, rtol 2e-2 as for
    /// the single-sequence check.
    @Test func gradientOfTheMeanMatchesFiniteDifferences() {
        var random = TestRandom(seed: 13)
        var logits = random.floats(4 * Self.maxFrames * Self.classes, -2, 2)
        let (result, gradient) = Self.batch(logits)
        #expect(result.mean.isFinite)
        let worst = GradientCheck().worstRatio(analytic: gradient, indices: Array(logits.indices),
            value: { logits[$0] }, setValue: { logits[$0] = $1 }, loss: { Self.batch(logits).0.mean })
        #expect(worst <= 1)
    }

    @Test func aBatchWithNothingFeasibleHasZeroMeanAndGradient() {
        var logits = [Float](repeating: 0.5, count: 2 * 3 * 4)
        var workspace = [Double](repeating: 0, count: CTCLoss.batchWorkspaceCount(frames: 3, labels: 4, classes: 4))
        let result = CTCLoss.batchLossAndGradient(logits: &logits, maxFrames: 3, classes: 4, frameCounts: [3, 2],
                                                  labels: [[1, 2, 3, 1], [2, 2]], workspace: &workspace)
        #expect(result == CTCLoss.BatchResult(negativeLogLikelihood: 0, targetCount: 0, infeasibleCount: 2))
        #expect(result.mean == 0 && logits.allSatisfy { $0 == 0 })
    }
}
