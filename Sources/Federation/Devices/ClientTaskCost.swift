import Learning

/// What one client's round of local training costs a device, computed from the model's layer shapes and
/// the client's own data: FLOPs, peak memory, bytes each way, and from those its simulated seconds.
///
/// Peak memory is the training step's as Murmur's client allocates it, all 32-bit: the global model as
/// received (kept to form the update), the working copy, its gradients, the optimizer's state, and the
/// workspace of one batch (activations, their gradients, logits or a sampled loss's scores). Under
/// partial training (PEU, LoRA) the client also holds the trained vector, its starting values and its
/// gradient (3 × trained), and the optimizer's state covers only the trained vector. The workspace is
/// the model's own allocation, which a test checks against what the model really allocates; a test
/// compares the whole peak with the allocator's count.
package struct ClientTaskCost: Sendable, Equatable, Codable {
    package var trainingFLOPs: Double
    /// Global copy + working copy + gradients (+ the partial vectors).
    package var parameterBytes: Int
    package var optimizerStateBytes: Int
    package var workspaceBytes: Int
    /// Floats the client trains and sends.
    package var trainedParameters = 0
    /// The model as downloaded, and the update as uploaded (after secure aggregation's expansion).
    package var bytesDown: Int
    package var bytesUp: Int
    /// The update as uploaded without secure aggregation: 4 bytes a trained float.
    package var bytesUpPlain = 0
    /// The scenario's cap on a task's memory (`clients.memoryLimitBytes`), on top of any device's own.
    package var memoryCapBytes: Int?

    package var peakMemoryBytes: Int { parameterBytes + optimizerStateBytes + workspaceBytes }

    /// A cost given part by part (tests, and tools that measured a task elsewhere).
    package init(trainingFLOPs: Double, parameterBytes: Int, optimizerStateBytes: Int, workspaceBytes: Int,
                 bytesDown: Int, bytesUp: Int) {
        self.trainingFLOPs = trainingFLOPs
        self.parameterBytes = parameterBytes
        self.optimizerStateBytes = optimizerStateBytes
        self.workspaceBytes = workspaceBytes
        self.bytesDown = bytesDown
        self.bytesUp = bytesUp
    }

    /// The cost of a task whose epoch of local training costs `epochFLOPs` with a largest step's workspace
    /// of `workspaceBytes` (the task's `trainingCost`), trained as `training` says.
    ///
    /// - Parameters:
    ///   - parameterCount: the model's parameters.
    ///   - space: what is trained and sent under partial training (nil: the whole model).
    ///   - bytesUp: the update as the client sends it: 4 bytes a trained float in the clear, or secure
    ///     aggregation's bit-packed masked vector.
    package init(epochFLOPs: Double, workspaceBytes: Int, parameterCount: Int, space: UpdateSpace? = nil,
                 training: ClientTraining, bytesUp: Int) {
        trainingFLOPs = Double(training.localEpochs) * epochFLOPs
        let floatBytes = MemoryLayout<Float>.size
        let received = space?.stateLayout.count ?? parameterCount, trained = space?.trainedCount ?? parameterCount
        parameterBytes = (received + 2 * parameterCount + (space == nil ? 0 : 3 * trained)) * floatBytes
        optimizerStateBytes = training.optimizer.stateFloatsPerParameter * trained * floatBytes
        self.workspaceBytes = workspaceBytes
        trainedParameters = trained
        bytesDown = received * floatBytes
        self.bytesUp = bytesUp
        bytesUpPlain = trained * floatBytes
    }

    /// The task's simulated duration on `device`: download, then compute, then upload.
    package func seconds(on device: DeviceProfile) -> TaskSeconds {
        TaskSeconds(download: Double(bytesDown * 8) / device.downlinkBitsPerSecond,
                    compute: trainingFLOPs / device.flopsPerSecond,
                    upload: Double(bytesUp * 8) / device.uplinkBitsPerSecond)
    }

    /// Whether the task fits in the device's memory for training (and under the scenario's cap).
    package func fits(on device: DeviceProfile) -> Bool { peakMemoryBytes <= device.memoryBytes && !exceedsMemoryCap }

    /// Whether the task's peak exceeds the scenario's cap.
    package var exceedsMemoryCap: Bool { memoryCapBytes.map { peakMemoryBytes > $0 } ?? false }
}

/// A task's simulated seconds by phase.
package struct TaskSeconds: Sendable, Equatable {
    package var download: Double
    package var compute: Double
    package var upload: Double

    package var total: Double { download + compute + upload }
}
