import Learning

/// The server's optimizer, learning rate and schedule: what a scenario's `server` section sets.
///
/// The server treats the negated average update as a gradient (Reddi et al. 2021, "Adaptive Federated
/// Optimization", Alg. 2): FedAvg is SGD on it with the server learning rate (1 gives plain averaging),
/// FedAvgM adds heavy-ball momentum (Hsu et al. 2019), FedAdam / FedYogi / FedAdagrad are Reddi et al.'s
/// adaptive servers with adaptivity τ as ε, and LAMB (You et al. 2020) and LARS (You et al. 2017, SGD
/// with momentum and a per-tensor trust ratio) scale the step per tensor, the layer-wise servers the
/// FL4ASR paper compares.
/// FedAdam uses Adam's bias correction, as PyTorch's Adam in pfl-research does (Reddi's Alg. 2 has
/// none); FedYogi starts v at τ² as Reddi et al.; FedAdagrad has no momentum (their β₁ = 0 case).
package struct ServerOptimization: Sendable, Equatable, Codable {
    /// Which server optimizer.
    package enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case fedavg, fedavgm, fedadam, fedyogi, fedadagrad, lamb, lars
    }

    package var kind = Kind.fedavg
    package var learningRate: Float = 1
    package var momentum: Float = 0.9
    package var beta1: Float = 0.9
    package var beta2: Float = 0.99
    /// τ of the adaptive servers (ε of Adam, Yogi, Adagrad, LAMB).
    package var adaptivity: Float = 1e-3
    package var schedule = LearningRateSchedule.constant

    package init() {}

    /// The optimizer configuration this resolves to.
    package var optimizer: OptimizerConfiguration {
        switch kind {
        case .fedavg: .sgd()
        case .fedavgm: .sgd(momentum: momentum)
        case .fedadam: .adam(beta1: beta1, beta2: beta2, epsilon: adaptivity)
        case .fedyogi: .yogi(beta1: beta1, beta2: beta2, epsilon: adaptivity, initialAccumulator: adaptivity * adaptivity)
        case .fedadagrad: .adagrad(epsilon: adaptivity, initialAccumulator: adaptivity * adaptivity)
        case .lamb: .lamb(beta1: beta1, beta2: beta2, epsilon: adaptivity)
        case .lars: .lars(momentum: momentum, epsilon: adaptivity)
        }
    }

    /// The learning rate of round `round` (1-based).
    package func learningRate(round: Int) -> Float {
        schedule.rate(at: round - 1, base: learningRate)
    }
}
