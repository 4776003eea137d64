import Learning

/// What part of the model clients train and send, when not all of it: what a scenario's `peu` and `lora`
/// sections set (Xu et al. 2022, arXiv 2207.08988, §2).
package struct PartialTraining: Sendable, Equatable, Codable {
    /// Partial embedding updates: the embedding rows trained each round (nil: the whole embedding is
    /// trained with the rest of the model, or, under LoRA alone, frozen).
    package var embeddingRows: EmbeddingRowSelection?
    /// Low-rank adapters on the model's dense matrices, with the base weights frozen.
    package var lora: LowRankAdaptation?
    /// What the server does with the adapters after each round's update.
    package var adapterHandling = AdapterHandling.keep

    /// Keep the adapters as part of the global model, or fold them into the base weights every round.
    package enum AdapterHandling: String, Sendable, Equatable, Codable, CaseIterable {
        /// The global model is base + adapters; the server optimizer updates the adapters and the base
        /// never changes (the LoRA paper's deployment: one frozen base, a small trained delta).
        case keep
        /// After each round the server adds s·B·A into the base and restarts the adapters (B = 0, A redrawn
        /// for the round), so the accumulated change is not limited to rank r.
        case merge
    }

    package init(embeddingRows: EmbeddingRowSelection? = nil, lora: LowRankAdaptation? = nil,
                 adapterHandling: AdapterHandling = .keep) {
        self.embeddingRows = embeddingRows
        self.lora = lora
        self.adapterHandling = adapterHandling
    }

    /// Whether anything is partial (otherwise clients train and send the whole model).
    package var isPartial: Bool { embeddingRows != nil || lora != nil }
}
