import Learning

/// What one client's round of local training costs a device, computed from the model's layer shapes and
/// the client's own data: FLOPs, peak memory, bytes each way, and from those its simulated seconds.
///
/// Peak memory is the training step's: the global model as received (kept to form the update), the
/// working copy, its gradients, the optimizer's state, and the workspace of one batch (activations,
/// their gradients, logits), all 32-bit. The workspace is the model's own allocation, which a test
/// checks against what the model really allocates.
package struct ClientTaskCost: Sendable, Equatable, Codable {
    package var trainingFLOPs: Double
    /// Global copy + working copy + gradients.
    package var parameterBytes: Int
    package var optimizerStateBytes: Int
    package var workspaceBytes: Int
    /// The model as downloaded, and the update as uploaded (after secure aggregation's expansion).
    package var bytesDown: Int
    package var bytesUp: Int

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

    /// The cost of training `model`'s shape as `training` says on a client with `sentences` sentences.
    ///
    /// - Parameters:
    ///   - parameterCount: the parameters trained and sent (the whole model).
    ///   - bytesUp: the update as the client sends it: 4 bytes a parameter in the clear, or secure
    ///     aggregation's bit-packed masked vector.
    package init(model: any LanguageModel, parameterCount: Int, training: ClientTraining, sentences: Int, bytesUp: Int) {
        let rows = min(sentences, training.maxSentences), steps = training.sequenceLength
        let fullBatches = rows / training.batchSize, lastBatch = rows % training.batchSize
        var flops = Double(fullBatches) * model.trainingFLOPs(batch: training.batchSize, steps: steps)
        if lastBatch > 0 { flops += model.trainingFLOPs(batch: lastBatch, steps: steps) }
        trainingFLOPs = Double(training.localEpochs) * flops
        let floatBytes = MemoryLayout<Float>.size
        parameterBytes = 3 * parameterCount * floatBytes
        optimizerStateBytes = training.optimizer.stateFloatsPerParameter * parameterCount * floatBytes
        workspaceBytes = rows == 0 ? 0 : model.trainingWorkspaceBytes(batch: min(rows, training.batchSize), steps: steps)
        bytesDown = parameterCount * floatBytes
        self.bytesUp = bytesUp
    }

    /// The task's simulated duration on `device`: download, then compute, then upload.
    package func seconds(on device: DeviceProfile) -> TaskSeconds {
        TaskSeconds(download: Double(bytesDown * 8) / device.downlinkBitsPerSecond,
                    compute: trainingFLOPs / device.flopsPerSecond,
                    upload: Double(bytesUp * 8) / device.uplinkBitsPerSecond)
    }

    /// Whether the task fits in the device's memory for training.
    package func fits(on device: DeviceProfile) -> Bool { peakMemoryBytes <= device.memoryBytes }
}

/// A task's simulated seconds by phase.
package struct TaskSeconds: Sendable, Equatable {
    package var download: Double
    package var compute: Double
    package var upload: Double

    package var total: Double { download + compute + upload }
}
