import Foundation

/// Adam and AdamW with bias correction.
///
/// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − η·m̂ / (√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
/// (Kingma & Ba 2015, Alg. 1, as PyTorch). Weight decay is either added to the gradient (Adam's L2) or
/// applied directly as w ← w − ηλw before the step (AdamW; Loshchilov & Hutter 2019, Alg. 2).
package final class Adam: Optimizer {
    private let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float, decoupled: Bool
    private var firstMoment: [Float], secondMoment: [Float]
    private var stepCount = 0

    package init(layout: ParameterLayout, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float,
                 decoupled: Bool) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        firstMoment = [Float](repeating: 0, count: layout.count)
        secondMoment = firstMoment
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
        let (b1, b2, eps, decay, isDecoupled) = (beta1, beta2, epsilon, weightDecay, decoupled)
        let correction1 = 1 - Float(pow(Double(b1), Double(stepCount)))
        let correction2 = 1 - Float(pow(Double(b2), Double(stepCount)))
        gradients.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { w in
                firstMoment.withUnsafeMutableBufferPointer { m in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        for i in 0..<w.count {
                            var gradient = g[i]
                            if isDecoupled { w[i] -= learningRate * decay * w[i] } else { gradient += decay * w[i] }
                            m[i] = b1 * m[i] + (1 - b1) * gradient
                            v[i] = b2 * v[i] + (1 - b2) * gradient * gradient
                            let mHat = m[i] / correction1, vHat = v[i] / correction2
                            w[i] -= learningRate * mHat / (vHat.squareRoot() + eps)
                        }
                    }
                }
            }
        }
    }
}
