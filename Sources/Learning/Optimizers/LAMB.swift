import Foundation
import Kernels

/// LAMB: the Adam direction (plus decoupled weight decay), rescaled per tensor by a trust ratio.
///
/// r = m̂ / (√v̂ + ε) + λw; w ← w − η·(‖w‖ / ‖r‖)·r per tensor, the ratio taken as 1 when either norm is
/// zero (You et al. 2020, "Large Batch Optimization for Deep Learning", Alg. 2, with φ the identity).
package final class LAMB: Optimizer {
    private let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    private let layout: ParameterLayout
    private var firstMoment: [Float], secondMoment: [Float], update: [Float]
    private var stepCount = 0

    package init(layout: ParameterLayout, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float) {
        self.layout = layout
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        firstMoment = [Float](repeating: 0, count: layout.count)
        secondMoment = firstMoment
        update = firstMoment
    }

    package var state: [String: [Float]] {
        ["firstMoment": firstMoment, "secondMoment": secondMoment, "step": [Float(stepCount)]]
    }

    package func restore(state: [String: [Float]]) throws(OptimizerStateError) {
        firstMoment = try OptimizerStateError.vector("firstMoment", count: firstMoment.count, in: state)
        secondMoment = try OptimizerStateError.vector("secondMoment", count: secondMoment.count, in: state)
        stepCount = try OptimizerStateError.count("step", in: state)
    }

    package func step(parameters: inout ParameterSet, gradients: ParameterSet, learningRate: Float) {
        stepCount += 1
        let (b1, b2, eps, decay) = (beta1, beta2, epsilon, weightDecay)
        let correction1 = 1 - Float(pow(Double(b1), Double(stepCount)))
        let correction2 = 1 - Float(pow(Double(b2), Double(stepCount)))
        gradients.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { w in
                firstMoment.withUnsafeMutableBufferPointer { m in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        update.withUnsafeMutableBufferPointer { r in
                            for i in 0..<w.count {
                                m[i] = b1 * m[i] + (1 - b1) * g[i]
                                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                                r[i] = (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps) + decay * w[i]
                            }
                            for entry in layout.entries {
                                let weights = UnsafeBufferPointer(rebasing: w[entry.range])
                                let direction = UnsafeBufferPointer(rebasing: r[entry.range])
                                let weightNorm = Reductions.sumOfSquares(weights).squareRoot()
                                let updateNorm = Reductions.sumOfSquares(direction).squareRoot()
                                let trust = weightNorm > 0 && updateNorm > 0 ? Float(weightNorm / updateNorm) : 1
                                for i in entry.range { w[i] -= learningRate * trust * r[i] }
                            }
                        }
                    }
                }
            }
        }
    }
}
