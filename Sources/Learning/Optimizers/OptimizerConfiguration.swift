/// Which optimizer to use and its hyperparameters; the same choices serve a client and the server.
///
/// Every optimizer minimises: it steps against the gradient it is given. On the server the "gradient"
/// is the negated average model update (Reddi et al. 2021, "Adaptive Federated Optimization", Alg. 2).
package enum OptimizerConfiguration: Sendable, Equatable, Codable {
    /// SGD with optional heavy-ball or Nesterov momentum and L2 weight decay (PyTorch `SGD` semantics).
    case sgd(momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0)
    /// Adam (Kingma & Ba 2015) with bias correction; `weightDecay` is added to the gradient (L2).
    case adam(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0)
    /// AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay.
    case adamW(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01)
    /// Adagrad (Duchi et al. 2011) with an initial accumulator value.
    case adagrad(epsilon: Float = 1e-10, initialAccumulator: Float = 0)
    /// Yogi (Zaheer et al. 2018): Adam with an additive, sign-controlled second-moment update.
    case yogi(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-3, initialAccumulator: Float = 1e-6)
    /// LAMB (You et al. 2020): Adam direction with a per-tensor trust ratio ‖w‖ / ‖update‖.
    case lamb(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-6, weightDecay: Float = 0)
    /// LARS (You et al. 2017): SGD with momentum and a per-tensor trust ratio η‖w‖ / (‖g‖ + β‖w‖ + ε).
    case lars(momentum: Float = 0.9, weightDecay: Float = 0, trustCoefficient: Float = 0.001, epsilon: Float = 1e-8)

    /// Floats of state the optimizer keeps per parameter (moments, accumulators), for memory estimates.
    package var stateFloatsPerParameter: Int {
        switch self {
        case let .sgd(momentum, _, _): momentum == 0 ? 0 : 1
        case .adagrad: 1
        case .adam, .adamW, .yogi, .lamb: 2
        case let .lars(momentum, _, _, _): momentum == 0 ? 0 : 1
        }
    }

    /// A fresh optimizer with zero state for parameters of `layout`.
    package func makeOptimizer(layout: ParameterLayout) -> any Optimizer {
        switch self {
        case let .sgd(momentum, nesterov, weightDecay):
            SGD(layout: layout, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
        case let .adam(beta1, beta2, epsilon, weightDecay):
            Adam(layout: layout, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: false)
        case let .adamW(beta1, beta2, epsilon, weightDecay):
            Adam(layout: layout, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
        case let .adagrad(epsilon, initialAccumulator):
            Adagrad(layout: layout, epsilon: epsilon, initialAccumulator: initialAccumulator)
        case let .yogi(beta1, beta2, epsilon, initialAccumulator):
            Yogi(layout: layout, beta1: beta1, beta2: beta2, epsilon: epsilon, initialAccumulator: initialAccumulator)
        case let .lamb(beta1, beta2, epsilon, weightDecay):
            LAMB(layout: layout, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        case let .lars(momentum, weightDecay, trustCoefficient, epsilon):
            LARS(layout: layout, momentum: momentum, weightDecay: weightDecay, trustCoefficient: trustCoefficient, epsilon: epsilon)
        }
    }
}

/// An optimizer: owns its state (moments) and updates parameters in place from a gradient.
package protocol Optimizer: AnyObject {
    /// Applies one step: parameters ← parameters − learningRate · direction(gradients, state).
    func step(parameters: inout ParameterSet, gradients: ParameterSet, learningRate: Float)
    /// Optimizer state (moments, step count) as named flat vectors, for checkpoints.
    var state: [String: [Float]] { get }
    /// Replaces the state with one saved from `state` by an optimizer of the same kind and layout.
    func restore(state: [String: [Float]]) throws(OptimizerStateError)
}
