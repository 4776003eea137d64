import Foundation
import Kernels

/// LARS: SGD with momentum whose step is rescaled per tensor ("layer") by a trust ratio, so every
/// layer moves by about the same fraction of its norm whatever its gradient's scale.
///
/// Per tensor: λ = η·‖w‖ / (‖g‖ + β‖w‖ + ε), or 1 when ‖w‖ or ‖g‖ is zero (a freshly zeroed bias);
/// v ← μv + γλ(g + βw); w ← w − v, with γ the global learning rate, η the trust coefficient and β the
/// weight decay (You, Gitman & Ginsburg 2017, "Large Batch Training of Convolutional Networks", Alg. 1;
/// ε as NVIDIA's LARC). The FL4ASR paper uses it as a server and client optimizer.
package final class LARS: Optimizer {
    private let momentum: Float, weightDecay: Float, trustCoefficient: Float, epsilon: Float
    private let layout: ParameterLayout
    private var velocity: [Float]

    package init(layout: ParameterLayout, momentum: Float, weightDecay: Float, trustCoefficient: Float, epsilon: Float) {
        self.layout = layout
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.trustCoefficient = trustCoefficient
        self.epsilon = epsilon
        velocity = momentum == 0 ? [] : [Float](repeating: 0, count: layout.count)
    }

    package var state: [String: [Float]] { ["velocity": velocity] }

    package func restore(state: [String: [Float]]) throws(OptimizerStateError) {
        velocity = try OptimizerStateError.vector("velocity", count: velocity.count, in: state)
    }

    package func step(parameters: inout ParameterSet, gradients: ParameterSet, learningRate: Float) {
        let (mu, decay) = (momentum, weightDecay)
        gradients.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { w in
                precondition(g.count == w.count, "LARS: gradient and parameter sizes differ")
                for entry in layout.entries {
                    let weightNorm = Float(Reductions.sumOfSquares(UnsafeBufferPointer(rebasing: w[entry.range])).squareRoot())
                    let gradientNorm = Float(Reductions.sumOfSquares(UnsafeBufferPointer(rebasing: g[entry.range])).squareRoot())
                    let trust = weightNorm > 0 && gradientNorm > 0
                        ? trustCoefficient * weightNorm / (gradientNorm + decay * weightNorm + epsilon) : 1
                    let scale = learningRate * trust
                    if mu == 0 {
                        for i in entry.range { w[i] -= scale * (g[i] + decay * w[i]) }
                        continue
                    }
                    velocity.withUnsafeMutableBufferPointer { v in
                        for i in entry.range {
                            v[i] = mu * v[i] + scale * (g[i] + decay * w[i])
                            w[i] -= v[i]
                        }
                    }
                }
            }
        }
    }
}
