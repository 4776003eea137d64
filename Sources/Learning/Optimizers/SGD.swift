/// Stochastic gradient descent with momentum, Nesterov momentum and L2 weight decay.
///
/// PyTorch `torch.optim.SGD` semantics (Sutskever et al. 2013 form): g ← g + λw; v ← μv + g;
/// w ← w − η·(g + μv) with Nesterov, else w ← w − η·v. With μ = 0 no velocity is kept.
package final class SGD: Optimizer {
    private let momentum: Float, nesterov: Bool, weightDecay: Float
    private var velocity: [Float]

    package init(layout: ParameterLayout, momentum: Float, nesterov: Bool, weightDecay: Float) {
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        velocity = momentum == 0 ? [] : [Float](repeating: 0, count: layout.count)
    }

    package var state: [String: [Float]] { ["velocity": velocity] }

    package func restore(state: [String: [Float]]) throws(OptimizerStateError) {
        velocity = try OptimizerStateError.vector("velocity", count: velocity.count, in: state)
    }

    package func step(parameters: inout ParameterSet, gradients: ParameterSet, learningRate: Float) {
        let (mu, decay, useNesterov) = (momentum, weightDecay, nesterov)
        gradients.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { w in
                precondition(g.count == w.count, "SGD: gradient and parameter sizes differ")
                if mu == 0 {
                    for i in 0..<w.count { w[i] -= learningRate * (g[i] + decay * w[i]) }
                    return
                }
                velocity.withUnsafeMutableBufferPointer { v in
                    for i in 0..<w.count {
                        let gradient = g[i] + decay * w[i]
                        v[i] = mu * v[i] + gradient
                        w[i] -= learningRate * (useNesterov ? gradient + mu * v[i] : v[i])
                    }
                }
            }
        }
    }
}
