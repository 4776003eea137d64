import Foundation
import Learning
import MurmurTestSupport
import Testing

@Suite struct CTCLossTests {
    /// Loss and gradient of one sequence, logits untouched.
    static func run(_ logits: [Float], frames: Int, classes: Int, labels: [Int32]) -> (CTCLoss.Result, [Float]) {
        var gradient = logits
        var workspace = [Double](repeating: .nan, count: CTCLoss.workspaceCount(frames: frames, labels: labels.count, classes: classes))
        let result = labels.withUnsafeBufferPointer { l in
            CTCLoss.lossAndGradient(logits: &gradient, frames: frames, classes: classes, labels: l, workspace: &workspace)
        }
        return (result, gradient)
    }

    /// The oracle: −ln Σ over all classesᶠʳᵃᵐᵉˢ paths whose collapse (merge repeats, drop blanks) is the labels.
    static func bruteForce(_ logits: [Float], frames: Int, classes: Int, labels: [Int32]) -> Double {
        var probabilities = [Double](repeating: 0, count: frames * classes)
        for t in 0..<frames {
            let row = (0..<classes).map { Double(logits[t * classes + $0]) }
            let top = row.max()!, total = row.reduce(0) { $0 + exp($1 - top) }
            for k in 0..<classes { probabilities[t * classes + k] = exp(row[k] - top) / total }
        }
        var sum = 0.0
        var path = [Int](repeating: 0, count: frames)
        for code in 0..<Int(pow(Double(classes), Double(frames))) {
            var rest = code, p = 1.0
            for t in 0..<frames {
                path[t] = rest % classes
                rest /= classes
                p *= probabilities[t * classes + path[t]]
            }
            var collapsed: [Int32] = []
            for t in 0..<frames where path[t] != 0 && (t == 0 || path[t] != path[t - 1]) { collapsed.append(Int32(path[t])) }
            if collapsed == labels { sum += p }
        }
        return -log(sum)
    }

    /// Known answers by enumerating all 3⁴ = 81 alignments of T = 4 frames: two distinct labels, a
    /// repeated label (needs a blank between), one label, and none.
    @Test(arguments: [[1, 2], [1, 1], [2, 1], [2], [] as [Int32]])
    func matchesBruteForceEnumeration(labels: [Int32]) {
        var random = TestRandom(seed: 42)
        let logits = random.floats(4 * 3, -2, 2)
        let (result, _) = Self.run(logits, frames: 4, classes: 3, labels: labels)
        let expected = Self.bruteForce(logits, frames: 4, classes: 3, labels: labels)
        #expect(result.feasible)
        #expect(isClose(result.negativeLogLikelihood, expected, rtol: 1e-6), "\(labels): \(result.negativeLogLikelihood) vs \(expected)")
    }

    /// The same on a longer case, T = 7 over 4 classes (16 384 paths), with repeats and a skip.
    @Test func matchesBruteForceOnALongerCase() {
        var random = TestRandom(seed: 7)
        let logits = random.floats(7 * 4, -3, 3), labels: [Int32] = [3, 1, 1, 2]
        let (result, _) = Self.run(logits, frames: 7, classes: 4, labels: labels)
        #expect(isClose(result.negativeLogLikelihood, Self.bruteForce(logits, frames: 7, classes: 4, labels: labels), rtol: 1e-6))
    }

    /// d(−ln p)/d logits against central differences (h = 1e-2 on logits in [−2, 2]; the loss is smooth
    /// with O(1) curvature there, so truncation error is ~1e-5 and rtol 2e-2 has a wide margin), on
    /// short labels, repeated labels, and a tight fit (as many frames as the alignment needs).
    @Test(arguments: [([1, 2], 5, 4), ([2, 2], 5, 3), ([1, 1, 1], 5, 3), ([3], 3, 4), ([1, 2, 1, 2], 4, 3),
                      ([5, 3, 5, 1], 12, 6), ([] as [Int32], 3, 3)])
    func gradientMatchesFiniteDifferences(labels: [Int32], frames: Int, classes: Int) {
        var random = TestRandom(seed: UInt64(frames * 17 + classes))
        var logits = random.floats(frames * classes, -2, 2)
        let (result, gradient) = Self.run(logits, frames: frames, classes: classes, labels: labels)
        #expect(result.feasible && result.negativeLogLikelihood.isFinite)
        let worst = GradientCheck().worstRatio(analytic: gradient, indices: Array(0..<logits.count),
            value: { logits[$0] }, setValue: { logits[$0] = $1 },
            loss: { Self.run(logits, frames: frames, classes: classes, labels: labels).0.negativeLogLikelihood })
        #expect(worst <= 1)
        // Each frame's gradient sums to 0 (softmax minus a distribution over classes).
        for t in 0..<frames {
            let rowSum = (0..<classes).reduce(0.0) { $0 + Double(gradient[t * classes + $1]) }
            #expect(abs(rowSum) < 1e-5)
        }
    }

    /// Labels that need more frames than there are: +∞ loss, zero gradient, flagged — not NaN.
    @Test(arguments: [([1, 2, 3], 2), ([1, 1], 2), ([2, 2, 2], 4), ([1], 0)])
    func impossibleAlignmentsAreReported(labels: [Int32], frames: Int) {
        var random = TestRandom(seed: 3)
        let logits = random.floats(frames * 4)
        let (result, gradient) = Self.run(logits, frames: frames, classes: 4, labels: labels)
        #expect(!result.feasible)
        #expect(result.negativeLogLikelihood == .infinity)
        #expect(gradient.allSatisfy { $0 == 0 })
        #expect(labels.withUnsafeBufferPointer { CTCLoss.minimumFrames($0) } > frames)
    }

    /// A long utterance (1 000 frames) stays finite: log space does not underflow where a product of
    /// probabilities (≈ e^−1000) would.
    @Test func longSequencesStayFinite() {
        var random = TestRandom(seed: 5)
        let frames = 1_000, classes = 29
        let logits = random.floats(frames * classes, -4, 4), labels = (0..<150).map { Int32(1 + $0 % 28) }
        let (result, gradient) = Self.run(logits, frames: frames, classes: classes, labels: labels)
        #expect(result.feasible && result.negativeLogLikelihood.isFinite && result.negativeLogLikelihood > 700)
        #expect(gradient.allSatisfy { $0.isFinite })
    }
}
