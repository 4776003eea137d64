import Learning

/// One tensor's client update norms over a round's cohort, before clipping: their mean and largest.
///
/// The reading behind Azam et al. 2023 (FL4ASR, §5): per-layer update norms are very uneven (layer
/// norms far above attention and feed-forward weights), which a global clip bound or a global learning
/// rate treats alike; layer-wise optimizers (LAMB, LARS) and per-layer clipping exist for this.
package struct TensorNormSummary: Sendable, Equatable, Codable {
    /// The tensor's name in the update's layout (`encoder.block0.norm1.gamma`, `lstm.inputWeight`, …).
    package var name: String
    package var mean: Double
    package var max: Double

    package init(name: String, mean: Double, max: Double) {
        self.name = name
        self.mean = mean
        self.max = max
    }

    /// The cohort's summaries in layout order, from statistics summed over its clients (empty when no
    /// client trained).
    package static func summaries(_ statistics: ClientStatistics, layout: ParameterLayout) -> [TensorNormSummary] {
        guard statistics.tensorNormClients > 0 else { return [] }
        precondition(statistics.tensorNormSums.count == layout.entries.count, "TensorNormSummary: one norm per tensor")
        let clients = Double(statistics.tensorNormClients)
        return layout.entries.indices.map { i in
            TensorNormSummary(name: layout.entries[i].name, mean: statistics.tensorNormSums[i] / clients,
                              max: statistics.tensorNormMaxima[i])
        }
    }

    /// The kind of layer a tensor belongs to, from its name: what the report groups norms by.
    package static func kind(of name: String) -> String {
        let lower = name.lowercased()
        if lower.contains("lora") { return "LoRA adapter" }
        if lower.hasSuffix(".gamma") || lower.hasSuffix(".beta") { return "layer norm" }
        if lower.contains("attention") { return "attention" }
        if lower.contains("feedforward") { return "feed-forward" }
        if lower.contains("subsampling") || lower.contains("conv") { return "convolution" }
        if lower.contains("lstm") { return "LSTM" }
        if lower.contains("embedding") || lower.hasPrefix("token.") || lower.hasPrefix("position.") { return "embedding" }
        return "projection and output"
    }
}
