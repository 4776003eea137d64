import Foundation
import Kernels
import Learning
import MurmurTestSupport
import Testing

/// LARS's first two steps and the exponential learning-rate decay, against values worked by hand from
/// You et al. 2017, Alg. 1 and TensorFlow's `ExponentialDecay` formula.
@Suite struct LARSTests {
    /// Two tensors: a = [3, 4] (‖a‖ = 5) and b = [0] (‖b‖ = 0, so its trust ratio is 1).
    static let layout: ParameterLayout = {
        var layout = ParameterLayout()
        layout.add("a", shape: [2])
        layout.add("b", shape: [1])
        return layout
    }()

    static func step(_ optimizer: any Optimizer, _ parameters: inout ParameterSet, _ gradient: [Float]) {
        optimizer.step(parameters: &parameters, gradients: ParameterSet(layout: layout, flat: Tensor(shape: [3], values: gradient)),
                       learningRate: 0.1)
    }

    @Test func trustRatioAndMomentum() {
        // η = 0.01, β = 0.1, μ = 0.9, ε = 0, γ = 0.1.
        // Step 1, a: g = [0.6, 0.8], ‖g‖ = 1 → λ = 0.01·5/(1 + 0.5) = 1/30; g + βw = [0.9, 1.2];
        //   v = 0.1·(1/30)·[0.9, 1.2] = [0.003, 0.004]; a = [2.997, 3.996].
        // b: ‖w‖ = 0 → λ = 1; g + βw = 0.5 → v = 0.05; b = −0.05.
        var parameters = ParameterSet(layout: Self.layout, flat: Tensor(shape: [3], values: [3, 4, 0]))
        let optimizer = OptimizerConfiguration.lars(momentum: 0.9, weightDecay: 0.1, trustCoefficient: 0.01, epsilon: 0)
            .makeOptimizer(layout: Self.layout)
        Self.step(optimizer, &parameters, [0.6, 0.8, 0.5])
        OptimizerTests.expectClose(parameters.flat.scalars, [2.997, 3.996, -0.05])
        // Step 2, a: w = [2.997, 3.996], ‖w‖ = 4.995; g = [0, 0]: ‖g‖ = 0 → λ = 1 (a zero gradient is not
        //   amplified, weight decay alone moves it): g + βw = [0.2997, 0.3996]; v = 0.9·v + 0.1·that =
        //   [0.0027 + 0.02997, 0.0036 + 0.03996] = [0.03267, 0.04356]; a = [2.96433, 3.95244].
        // b: w = −0.05, g = 1, ‖w‖ = 0.05, ‖g‖ = 1 → λ = 0.01·0.05/(1 + 0.005) = 4.975124e-4; g + βw = 0.995;
        //   v = 0.045 + 0.1·4.975124e-4·0.995 = 0.045049502; b = −0.095049502.
        Self.step(optimizer, &parameters, [0, 0, 1])
        OptimizerTests.expectClose(parameters.flat.scalars, [2.96433, 3.95244, -0.095049502])
        #expect(OptimizerConfiguration.lars().stateFloatsPerParameter == 1)
        #expect(OptimizerConfiguration.lars(momentum: 0).stateFloatsPerParameter == 0)
    }

    @Test func withoutMomentumEachStepIsScaledSGD() {
        // μ = 0, β = 0, η = 0.02: a: λ = 0.02·5/1 = 0.1, step 0.1·0.1·[0.6, 0.8] → [2.994, 3.992].
        var parameters = ParameterSet(layout: Self.layout, flat: Tensor(shape: [3], values: [3, 4, 0]))
        let optimizer = OptimizerConfiguration.lars(momentum: 0, trustCoefficient: 0.02, epsilon: 0).makeOptimizer(layout: Self.layout)
        Self.step(optimizer, &parameters, [0.6, 0.8, 0])
        OptimizerTests.expectClose(parameters.flat.scalars, [2.994, 3.992, 0])
    }

    @Test func exponentialDecay() {
        let schedule = LearningRateSchedule.exponentialDecay(startStep: 10, rate: 0.5, transitionSteps: 4, warmupSteps: 2)
        #expect(schedule.rate(at: 0, base: 1) == 0.5)  // warm-up 1/2
        #expect(schedule.rate(at: 5, base: 1) == 1)  // before the start step
        #expect(schedule.rate(at: 10, base: 1) == 1)
        #expect(isClose(Double(schedule.rate(at: 12, base: 2)), 2 * pow(0.5, 0.5), rtol: 1e-6))  // continuous, not a staircase
        #expect(isClose(Double(schedule.rate(at: 18, base: 1)), 0.25, rtol: 1e-6))
    }
}
