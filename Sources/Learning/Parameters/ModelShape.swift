/// A model's parameter layout and the tensors partial training may single out, known from its
/// configuration without allocating or initialising any weights.
///
/// The federated core sizes everything from this before the first model exists: the update a client
/// sends (and so the noise, the ring and the payload), LoRA's adapters, a warm start's expected size.
/// A model built from the same configuration has exactly this layout (its initialiser lays out its
/// tensors through the same code).
package struct ModelShape: Sendable, Equatable {
    /// Every tensor, in the order of the flat parameter buffer.
    package var layout: ParameterLayout
    /// The weight matrices (out × in) low-rank adapters attach to: dense layers' weights, not
    /// embeddings, biases or norms.
    package var adaptableMatrices: [ParameterLayout.Entry]
    /// A table (rows × width) whose rows partial embedding updates may select: the tied token
    /// embedding of a language model; nil for models without one (a speech encoder).
    package var selectableRows: ParameterLayout.Entry?

    package init(layout: ParameterLayout, adaptableMatrices: [ParameterLayout.Entry], selectableRows: ParameterLayout.Entry?) {
        self.layout = layout
        self.adaptableMatrices = adaptableMatrices
        self.selectableRows = selectableRows
    }

    /// The number of floats in the model.
    package var parameterCount: Int { layout.count }
}
