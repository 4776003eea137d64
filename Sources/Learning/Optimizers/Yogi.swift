/// Yogi: Adam's first moment with an additive second-moment update that cannot grow v too fast.
///
/// m ← β₁m + (1−β₁)g; v ← v − (1−β₂)·sign(v − g²)·g²; w ← w − η·m / (√v + ε). No bias correction, v
/// starts at `initialAccumulator` (Zaheer et al. 2018, Alg. 2; the FedYogi server optimizer of Reddi et
/// al. 2021, Alg. 2, where ε is τ and v₀ = τ²).
package final class Yogi: Optimizer {
    private let beta1: Float, beta2: Float, epsilon: Float
    private var firstMoment: [Float], secondMoment: [Float]

    package init(layout: ParameterLayout, beta1: Float, beta2: Float, epsilon: Float, initialAccumulator: Float) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoment = [Float](repeating: 0, count: layout.count)
        secondMoment = [Float](repeating: initialAccumulator, count: layout.count)
    }

    package var state: [String: [Float]] { ["firstMoment": firstMoment, "secondMoment": secondMoment] }

    package func restore(state: [String: [Float]]) throws(OptimizerStateError) {
        firstMoment = try OptimizerStateError.vector("firstMoment", count: firstMoment.count, in: state)
        secondMoment = try OptimizerStateError.vector("secondMoment", count: secondMoment.count, in: state)
    }

    package func step(parameters: inout ParameterSet, gradients: ParameterSet, learningRate: Float) {
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        gradients.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { w in
                firstMoment.withUnsafeMutableBufferPointer { m in
                    secondMoment.withUnsafeMutableBufferPointer { v in
                        for i in 0..<w.count {
                            let squared = g[i] * g[i]
                            m[i] = b1 * m[i] + (1 - b1) * g[i]
                            let difference = v[i] - squared
                            let sign: Float = difference > 0 ? 1 : (difference < 0 ? -1 : 0)
                            v[i] -= (1 - b2) * sign * squared
                            w[i] -= learningRate * m[i] / (v[i].squareRoot() + eps)
                        }
                    }
                }
            }
        }
    }
}
