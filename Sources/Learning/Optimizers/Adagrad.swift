/// Adagrad: per-coordinate step sizes from the running sum of squared gradients.
///
/// a ← a + g²; w ← w − η·g / (√a + ε) (Duchi, Hazan & Singer 2011; PyTorch's form, ε outside the root).
package final class Adagrad: Optimizer {
    private let epsilon: Float
    private var accumulator: [Float]

    package init(layout: ParameterLayout, epsilon: Float, initialAccumulator: Float) {
        self.epsilon = epsilon
        accumulator = [Float](repeating: initialAccumulator, count: layout.count)
    }

    package var state: [String: [Float]] { ["accumulator": accumulator] }

    package func restore(state: [String: [Float]]) throws(OptimizerStateError) {
        accumulator = try OptimizerStateError.vector("accumulator", count: accumulator.count, in: state)
    }

    package func step(parameters: inout ParameterSet, gradients: ParameterSet, learningRate: Float) {
        let eps = epsilon
        gradients.withUnsafeBufferPointer { g in
            parameters.withUnsafeMutableBufferPointer { w in
                accumulator.withUnsafeMutableBufferPointer { a in
                    for i in 0..<w.count {
                        a[i] += g[i] * g[i]
                        w[i] -= learningRate * g[i] / (a[i].squareRoot() + eps)
                    }
                }
            }
        }
    }
}
