import Learning

/// Everything that fixes a federated training run apart from its task and where its data comes from.
package struct FederatedTrainingConfiguration: Sendable, Equatable, Codable {
    package var client = ClientTraining()
    package var sampling = CohortSampling.fixedSize(50)
    package var server = ServerOptimization()
    package var seed: UInt64 = 0
    /// Rounds in simulated time on a device fleet (nil: no devices, no clock).
    package var devices: DeviceSimulation?
    /// Partial training (PEU rows, LoRA adapters); by default clients train and send the whole model.
    package var partial = PartialTraining()
    /// Users taken in a given order, cohort by cohort, instead of sampled (nil: sampled by `sampling`).
    package var userOrder: OrderedCohorts?
    /// Whether each client's update norm is measured tensor by tensor before clipping, for the metrics
    /// lines: the per-layer reading of Azam et al. 2023 (FL4ASR), which costs a pass over every update.
    package var recordsTensorNorms = false

    package init() {}

    /// The length of the vector a client sends for a model of `shape`: its parameter count, or the
    /// partial update's.
    package func updateDimension(shape: ModelShape) -> Int {
        partial.isPartial ? UpdateSpace(shape: shape, partial: partial).trainedCount : shape.parameterCount
    }
}
