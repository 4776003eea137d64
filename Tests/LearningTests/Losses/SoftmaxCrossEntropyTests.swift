import Foundation
import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct SoftmaxCrossEntropyTests {
    /// The fused gradient equals finite differences of the mean loss; padded rows count for nothing.
    @Test func gradientMatchesFiniteDifferencesAndIgnoresPadding() {
        var random = TestRandom(seed: 4)
        let (rows, classes) = (4, 6)
        var logits = random.floats(rows * classes, -2, 2)
        let targets: [Int32] = [2, 0, 5, 1]  // row 1 targets the padding id 0
        func loss() -> Double {
            var scratch = logits
            return scratch.withUnsafeMutableBufferPointer { l in
                targets.withUnsafeBufferPointer { t in
                    SoftmaxCrossEntropy.lossAndGradient(logits: l.baseAddress!, rows: rows, classes: classes,
                                                        targets: t, ignoredTarget: 0).mean
                }
            }
        }
        var gradient = logits
        let result = gradient.withUnsafeMutableBufferPointer { l in
            targets.withUnsafeBufferPointer { t in
                SoftmaxCrossEntropy.lossAndGradient(logits: l.baseAddress!, rows: rows, classes: classes,
                                                    targets: t, ignoredTarget: 0)
            }
        }
        #expect(result.count == 3)
        #expect(gradient[classes..<(2 * classes)].allSatisfy { $0 == 0 })
        // The loss by hand for row 0: log Σ exp − logit[target].
        let row0 = logits[0..<classes].map(Double.init)
        let expectedRow0 = log(row0.map { exp($0) }.reduce(0, +)) - row0[2]
        #expect(result.negativeLogLikelihood > expectedRow0)
        let worst = GradientCheck(step: 1e-2, rtol: 1e-2, atol: 1e-4).worstRatio(analytic: gradient, indices: Array(0..<(rows * classes)),
            value: { logits[$0] }, setValue: { logits[$0] = $1 }, loss: loss)
        #expect(worst <= 1)
    }

    @Test func evaluationCountsTopKHits() {
        // Two rows over 4 classes: target ranks first in row 0 and third in row 1.
        var logits: [Float] = [5, 1, 0, 0, /* row 1 */ 3, 2, 1, 0]
        let targets: [Int32] = [0, 2]
        let outcome = logits.withUnsafeMutableBufferPointer { l in
            targets.withUnsafeBufferPointer { t in
                SoftmaxCrossEntropy.evaluate(logits: l.baseAddress!, rows: 2, classes: 4, targets: t, ignoredTarget: nil)
            }
        }
        #expect(outcome.top1 == 1 && outcome.top3 == 2 && outcome.result.count == 2)
    }
}
