import Learning

/// The summed loss of one batch and the number of targets it was summed over (tokens, characters).
package struct BatchLoss: Sendable, Equatable {
    package var sum: Double
    package var count: Int

    package init(sum: Double, count: Int) {
        self.sum = sum
        self.count = count
    }
}

/// Anything a client can train: weights and gradients in one flat layout, and a loss with its
/// gradient on a batch of the task's own kind.
///
/// The federated core touches a model only through this: it copies the global weights in, steps an
/// optimizer on `parameters` with `gradients`, and reads the weights back. What a batch is, and how
/// the forward and backward passes run, belong to the model (Learning) and its task (Tasks).
package protocol TrainableModel: AnyObject {
    /// One batch of training or evaluation examples.
    associatedtype Batch

    var parameters: ParameterSet { get set }
    /// Settable so a trainer can add terms (a FedProx proximal term) in place before the optimizer step.
    var gradients: ParameterSet { get set }

    /// Keys the randomness of the training steps that follow (dropout, sampled noise words) to
    /// `randomSeed`, so a client's training does not depend on what the same object trained before.
    func beginTraining(randomSeed: UInt64)

    /// Forward and backward on one batch: overwrites `gradients` with the gradient of the mean loss and
    /// returns the summed loss with the targets it counted.
    func lossAndGradient(_ batch: Batch) -> BatchLoss
}
