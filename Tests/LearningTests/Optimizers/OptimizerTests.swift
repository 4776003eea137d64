import Foundation
import Kernels
import Learning
import MurmurTestSupport
import Testing

/// Each optimizer's first two steps on w = [1, −2] with gradients [0.5, 0.1] then [−0.2, 0.3], checked
/// against values computed by hand from the papers' update rules (written out beside each case).
@Suite struct OptimizerTests {
    static let layout: ParameterLayout = {
        var layout = ParameterLayout()
        layout.add("a", shape: [1])
        layout.add("b", shape: [1])
        return layout
    }()

    static func run(_ configuration: OptimizerConfiguration, learningRate: Float = 0.1) -> [Float] {
        var parameters = ParameterSet(layout: layout, flat: Tensor(shape: [2], values: [1, -2]))
        let optimizer = configuration.makeOptimizer(layout: layout)
        for gradient: [Float] in [[0.5, 0.1], [-0.2, 0.3]] {
            optimizer.step(parameters: &parameters, gradients: ParameterSet(layout: layout, flat: Tensor(shape: [2], values: gradient)),
                           learningRate: learningRate)
        }
        return parameters.flat.scalars
    }

    static func expectClose(_ actual: [Float], _ expected: [Double]) {
        for (a, e) in zip(actual, expected) { #expect(isClose(Double(a), e, rtol: 1e-5, atol: 1e-6), "\(actual) vs \(expected)") }
    }

    @Test func sgd() {
        // w − 0.1 g, twice: 1 − 0.05 + 0.02 = 0.97; −2 − 0.01 − 0.03 = −2.04
        Self.expectClose(Self.run(.sgd()), [0.97, -2.04])
    }

    @Test func sgdMomentumAndNesterov() {
        // μ = 0.9: v1 = g1, v2 = 0.9 g1 + g2 → a: v = 0.5, 0.25 → 1 − 0.05 − 0.025 = 0.925
        //                                   b: v = 0.1, 0.39 → −2 − 0.01 − 0.039 = −2.049
        Self.expectClose(Self.run(.sgd(momentum: 0.9)), [0.925, -2.049])
        // Nesterov steps g + μv: a: 0.5 + 0.45 = 0.95, −0.2 + 0.225 = 0.025 → 1 − 0.095 − 0.0025 = 0.9025
        //                        b: 0.1 + 0.09 = 0.19, 0.3 + 0.351 = 0.651 → −2 − 0.019 − 0.0651 = −2.0841
        Self.expectClose(Self.run(.sgd(momentum: 0.9, nesterov: true)), [0.9025, -2.0841])
        // L2 decay 0.1 adds 0.1 w: a: g = 0.6 → 0.94; g = −0.2 + 0.094 = −0.106 → 0.9506
        Self.expectClose(Self.run(.sgd(weightDecay: 0.1)).prefix(1).map { $0 }, [0.9506])
    }

    @Test func adam() {
        // Step 1 with bias correction moves each weight by η·sign(g) (m̂ = g, v̂ = g²): a 0.9, b −2.1.
        // Step 2, a: m = 0.45·0.9... computed: m = 0.9·0.05 + 0.1·(−0.2) = 0.025, m̂ = 0.025/0.19;
        // v = 0.999·0.00025 + 0.001·0.04 = 0.00028975, v̂ = v/0.001999; step = m̂/√v̂.
        let a = 0.9 - 0.1 * (0.025 / 0.19) / (0.00028975 / 0.001999).squareRoot()
        let mb = 0.9 * 0.01 + 0.1 * 0.3, vb = 0.999 * 0.00001 + 0.001 * 0.09
        let b = -2.1 - 0.1 * (mb / 0.19) / (vb / 0.001999).squareRoot()
        Self.expectClose(Self.run(.adam(epsilon: 0)), [a, b])
    }

    @Test func adamWDecouplesDecay() {
        // AdamW shrinks w by ηλw before each Adam step of η·sign(g): a: 1 − 0.01 − 0.1 = 0.89,
        // b: −2 + 0.02 − 0.1 = −2.08.
        var parameters = ParameterSet(layout: Self.layout, flat: Tensor(shape: [2], values: [1, -2]))
        let optimizer = OptimizerConfiguration.adamW(epsilon: 0, weightDecay: 0.1).makeOptimizer(layout: Self.layout)
        optimizer.step(parameters: &parameters, gradients: ParameterSet(layout: Self.layout, flat: Tensor(shape: [2], values: [0.5, 0.1])),
                       learningRate: 0.1)
        Self.expectClose(parameters.flat.scalars, [0.89, -2.08])
    }

    @Test func adagrad() {
        // a: acc 0.25 → step 0.1·0.5/0.5 = 0.1; acc 0.29 → step 0.1·(−0.2)/√0.29
        let a = 1 - 0.1 + 0.02 / 0.29.squareRoot()
        let b = -2 - 0.1 - 0.03 / 0.1.squareRoot()
        Self.expectClose(Self.run(.adagrad(epsilon: 0)), [a, b])
    }

    @Test func yogi() {
        // v0 = 1e-6; a: g² = 0.25 > v0 → v1 = v0 + 0.001·0.25; m1 = 0.05; w = 1 − 0.1·0.05/(√v1 + 1e-3)
        let v1a = 1e-6 + 0.001 * 0.25, m1a = 0.05
        let w1a = 1 - 0.1 * m1a / (v1a.squareRoot() + 1e-3)
        let m2a = 0.9 * m1a + 0.1 * -0.2
        let v2a = v1a + 0.001 * 0.04  // v1 < g² = 0.04, so v grows
        let w2a = w1a - 0.1 * m2a / (v2a.squareRoot() + 1e-3)
        let result = Self.run(.yogi())
        #expect(isClose(Double(result[0]), w2a, rtol: 1e-4))
    }

    @Test func lambScalesByTrustRatio() {
        // One tensor per weight: the Adam direction is sign(g) = ±1 at step 1, ‖r‖ = 1, ‖w‖ = |w|,
        // so w ← w − η·|w|·sign(g): a 1 − 0.1 = 0.9, b −2 − 0.2 = −2.2.
        var parameters = ParameterSet(layout: Self.layout, flat: Tensor(shape: [2], values: [1, -2]))
        let optimizer = OptimizerConfiguration.lamb(epsilon: 0).makeOptimizer(layout: Self.layout)
        optimizer.step(parameters: &parameters, gradients: ParameterSet(layout: Self.layout, flat: Tensor(shape: [2], values: [0.5, 0.1])),
                       learningRate: 0.1)
        Self.expectClose(parameters.flat.scalars, [0.9, -2.2])
    }

    @Test func schedules() {
        #expect(LearningRateSchedule.constant.rate(at: 100, base: 0.5) == 0.5)
        #expect(LearningRateSchedule.linearWarmup(warmupSteps: 4).rate(at: 0, base: 1) == 0.25)
        #expect(LearningRateSchedule.linearWarmup(warmupSteps: 4).rate(at: 10, base: 1) == 1)
        let cosine = LearningRateSchedule.cosine(totalSteps: 10, warmupSteps: 0, minimumFactor: 0.1)
        #expect(isClose(Double(cosine.rate(at: 5, base: 1)), 0.55, rtol: 1e-6))
        #expect(isClose(Double(cosine.rate(at: 10, base: 1)), 0.1, rtol: 1e-6))
        #expect(LearningRateSchedule.stepDecay(everySteps: 3, factor: 0.5).rate(at: 7, base: 1) == 0.25)
    }
}
