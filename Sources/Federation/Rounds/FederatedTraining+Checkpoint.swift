import Kernels
import Learning

extension FederatedTraining {
    /// The state to save at a round boundary (the caller adds its run record).
    package var checkpointState: TrainingCheckpoint {
        var checkpoint = TrainingCheckpoint(completedRounds: completedRounds, parameters: parameters.flat.scalars,
                                            serverOptimizerState: serverOptimizer.state)
        checkpoint.clipBound = privacy?.clipBound
        checkpoint.simulatedSeconds = fleet == nil ? nil : simulatedSeconds
        checkpoint.privacyLedgers = privacyBudget?.ledgers
        checkpoint.participation = participation
        return checkpoint
    }

    /// Starts from trained weights instead of the seed's random initialisation: a warm start, LoRA's
    /// setting (Hu et al. 2021 adapt a pretrained model; Xu et al. 2022 fine-tune a task-specific one).
    ///
    /// `modelWeights` are a model's tensors in this model's layout (a checkpoint of a run without LoRA);
    /// any adapters start as on a cold start (A drawn from the seed, B = 0), and the server optimizer
    /// starts afresh. Only before the first round.
    package func start(fromModelWeights modelWeights: [Float]) throws(CheckpointError) {
        precondition(completedRounds == 0, "FederatedTraining: a warm start comes before the first round")
        let modelLayout = updateSpace?.modelLayout ?? parameters.layout
        guard modelWeights.count == modelLayout.count else {
            throw .mismatch("it holds \(modelWeights.count) parameters, the model has \(modelLayout.count) (a checkpoint "
                + "of a run of the same model, without LoRA adapters, fits)")
        }
        let model = ParameterSet(layout: modelLayout, flat: Tensor(shape: [modelWeights.count], values: modelWeights))
        parameters = updateSpace?.initialState(model: model, seed: configuration.seed, keys: [0]) ?? model
    }

    /// Continues from a saved state of a run with the same configuration.
    package func restore(_ checkpoint: TrainingCheckpoint) throws {
        guard checkpoint.parameters.count == parameters.layout.count else {
            throw CheckpointError.mismatch("it holds \(checkpoint.parameters.count) parameters, the model has "
                + "\(parameters.layout.count)")
        }
        try serverOptimizer.restore(state: checkpoint.serverOptimizerState)
        parameters = ParameterSet(layout: parameters.layout,
                                  flat: Tensor(shape: [checkpoint.parameters.count], values: checkpoint.parameters))
        if let privacy {
            guard let bound = checkpoint.clipBound else {
                throw CheckpointError.mismatch("it has no clip bound, but this run uses differential privacy")
            }
            privacy.clipBound = bound
        }
        if privacyBudget != nil {
            guard let ledgers = checkpoint.privacyLedgers else {
                throw CheckpointError.mismatch("it has no privacy ledger, but this run uses differential privacy")
            }
            try privacyBudget?.restore(ledgers)
        }
        if let ledger = checkpoint.participation {
            participation = ledger
        } else if participation?.schema != nil {
            // Without a cap the counts only inform the summary; an older checkpoint without them is still usable.
            throw CheckpointError.mismatch("it has no participation counts, but this run caps participations")
        }
        if fleet != nil {
            guard let seconds = checkpoint.simulatedSeconds else {
                throw CheckpointError.mismatch("it has no simulated clock, but this run simulates devices")
            }
            simulatedSeconds = seconds
        }
        completedRounds = checkpoint.completedRounds
    }
}
