import Kernels
import Learning

/// What clients train and send under partial training, as a vector with its own layout, and the maps
/// between it, the model a client runs, and the server's global state.
///
/// - The **state** (server) is the model's tensors followed by the LoRA adapters, when there are any.
/// - The **update** (what is trained, clipped, noised, securely summed) is, in order:
///   `embedding.rows` (m × width: the round's rows, ascending), the model tensors trained whole, then the
///   adapters (each A, B) in the state's order. Its shape is the same every round; which rows it holds
///   changes, and the server knows which.
///
/// Under PEU alone every tensor but the embedding is trained whole; under LoRA only the adapters (and the
/// PEU rows, if any) are: the base weights, biases, norms and other embedding rows are frozen.
package struct UpdateSpace: Sendable {
    package let modelLayout: ParameterLayout
    package let stateLayout: ParameterLayout
    package let updateLayout: ParameterLayout
    /// The table PEU selects rows of (nil: the model has none).
    package let embedding: ParameterLayout.Entry?
    /// Rows of the embedding each round trains (nil: none, or the whole table as a dense tensor).
    package let embeddingRowCount: Int?
    /// Model tensors trained whole, with their entries in the update layout.
    package let dense: [(model: ParameterLayout.Entry, update: ParameterLayout.Entry)]
    package let lora: LowRankAdaptation?
    /// The adapters, their entries indexing the state layout.
    package let adapters: [LowRankAdaptation.Adapter]
    /// Where the adapter block starts in the update and in the state (it has the same inner layout in both).
    private let updateAdapterStart: Int, stateAdapterStart: Int

    /// The space for a model of `shape` under `partial`.
    package init(shape: ModelShape, partial: PartialTraining) {
        precondition(partial.embeddingRows == nil || shape.selectableRows != nil, "UpdateSpace: PEU needs a table of rows")
        modelLayout = shape.layout
        embedding = shape.selectableRows
        var state = modelLayout
        adapters = partial.lora.map { $0.addAdapters(for: shape.adaptableMatrices, to: &state) } ?? []
        stateLayout = state
        lora = partial.lora
        var update = ParameterLayout()
        if let selection = partial.embeddingRows, let embedding {
            embeddingRowCount = selection.rows
            update.add("embedding.rows", shape: [selection.rows, embedding.shape[1]])
        } else {
            embeddingRowCount = nil
        }
        var dense: [(ParameterLayout.Entry, ParameterLayout.Entry)] = []
        if partial.lora == nil {
            for entry in modelLayout.entries where entry != embedding || partial.embeddingRows == nil {
                dense.append((entry, update.add(entry.name, shape: entry.shape)))
            }
        }
        self.dense = dense
        updateAdapterStart = update.count
        stateAdapterStart = modelLayout.count
        for adapter in adapters {
            update.add(adapter.a.name, shape: adapter.a.shape)
            update.add(adapter.b.name, shape: adapter.b.shape)
        }
        updateLayout = update
    }


    /// The update's values at the start of a task: the chosen rows, the dense tensors and the adapters of `state`.
    package func extract(from state: ParameterSet, rows: [Int32]) -> ParameterSet {
        precondition(state.layout == stateLayout && rows.count == (embeddingRowCount ?? 0), "UpdateSpace.extract")
        var result = ParameterSet(layout: updateLayout)
        state.withUnsafeBufferPointer { s in
            result.withUnsafeMutableBufferPointer { u in
                let source = s.baseAddress!, target = u.baseAddress!
                gatherTrainedModelPart(from: source, rows: rows, into: target)
                (target + updateAdapterStart).update(from: source + stateAdapterStart,
                                                     count: stateLayout.count - stateAdapterStart)
            }
        }
        return result
    }

    /// Writes `update`'s values into the model a client runs: the rows and dense tensors as they are, and
    /// each adapted weight as base + s·B·A with the base taken from `state`.
    package func write(_ update: ParameterSet, rows: [Int32], state: ParameterSet, into model: inout ParameterSet) {
        update.withUnsafeBufferPointer { u in
            state.withUnsafeBufferPointer { s in
                model.withUnsafeMutableBufferPointer { m in
                    let values = u.baseAddress!, base = s.baseAddress!, target = m.baseAddress!
                    placeTrainedModelPart(from: values, rows: rows, into: target)
                    let adapterValues = values + (updateAdapterStart - stateAdapterStart)
                    for adapter in adapters {
                        lora!.formWeight(adapter, base: base + adapter.base.offset, adapterValues: adapterValues,
                                         into: target + adapter.base.offset)
                    }
                }
            }
        }
    }

    /// The gradient in the update's layout from the model's full gradient: the chosen rows' and dense
    /// tensors' entries, and the adapters' projections (which need the adapters' current values).
    package func gradient(from modelGradient: ParameterSet, update: ParameterSet, rows: [Int32], into result: inout ParameterSet) {
        modelGradient.withUnsafeBufferPointer { g in
            update.withUnsafeBufferPointer { u in
                result.withUnsafeMutableBufferPointer { r in
                    let source = g.baseAddress!, target = r.baseAddress!
                    gatherTrainedModelPart(from: source, rows: rows, into: target)
                    let shift = updateAdapterStart - stateAdapterStart
                    for adapter in adapters {
                        lora!.projectGradient(adapter, weightGradient: source + adapter.base.offset,
                                              adapterValues: u.baseAddress! + shift, into: target + shift)
                    }
                }
            }
        }
    }

    /// The update placed in the state's layout, zero elsewhere: what the server optimizer steps with.
    package func scatter(_ update: ParameterSet, rows: [Int32]) -> ParameterSet {
        var result = ParameterSet(layout: stateLayout)
        update.withUnsafeBufferPointer { u in
            result.withUnsafeMutableBufferPointer { s in
                let values = u.baseAddress!, target = s.baseAddress!
                placeTrainedModelPart(from: values, rows: rows, into: target)
                (target + stateAdapterStart).update(from: values + updateAdapterStart,
                                                    count: stateLayout.count - stateAdapterStart)
            }
        }
        return result
    }

    /// The model's weights from a state: the base with every adapter folded in (W + s·B·A), for evaluation.
    package func modelParameters(from state: ParameterSet) -> ParameterSet {
        var model = ParameterSet(layout: modelLayout)
        state.withUnsafeBufferPointer { s in
            model.withUnsafeMutableBufferPointer { m in
                let base = s.baseAddress!, target = m.baseAddress!
                target.update(from: base, count: modelLayout.count)
                for adapter in adapters {
                    lora!.formWeight(adapter, base: base + adapter.base.offset, adapterValues: base, into: target + adapter.base.offset)
                }
            }
        }
        return model
    }

    /// A fresh state for the model weights `model`: the weights, then new adapters (A random, B = 0).
    package func initialState(model: ParameterSet, seed: UInt64, keys: [UInt64]) -> ParameterSet {
        var state = ParameterSet(layout: stateLayout)
        state.withUnsafeMutableBufferPointer { s in
            model.withUnsafeBufferPointer { m in s.baseAddress!.update(from: m.baseAddress!, count: modelLayout.count) }
            LowRankAdaptation.initialise(adapters, values: s, seed: seed, keys: keys)
        }
        return state
    }

    /// Folds every adapter into its base weight and restarts the adapters for `round` (the `merge` handling).
    package func mergeAdapters(into state: inout ParameterSet, seed: UInt64, round: Int) {
        let merged = modelParameters(from: state)
        state = initialState(model: merged, seed: seed, keys: [UInt64(round)])
    }

    /// Copies the chosen embedding rows and the dense tensors of a vector in the model's layout (or the
    /// state's, which begins with it) to their places in the update: shared by the values and the gradient.
    private func gatherTrainedModelPart(from source: UnsafePointer<Float>, rows: [Int32],
                                        into target: UnsafeMutablePointer<Float>) {
        if let embedding, !rows.isEmpty {
            rows.withUnsafeBufferPointer { ids in
                RowOps.gatherRows(table: source + embedding.offset, tableRows: embedding.shape[0], width: embedding.shape[1],
                                  ids: ids, into: target)
            }
        }
        for (model, entry) in dense { (target + entry.offset).update(from: source + model.offset, count: model.count) }
    }

    /// The inverse of `gatherTrainedModelPart`: puts the update's rows and dense tensors back at their
    /// places in a vector in the model's (or the state's) layout, leaving every other entry as it is.
    private func placeTrainedModelPart(from values: UnsafePointer<Float>, rows: [Int32],
                                       into target: UnsafeMutablePointer<Float>) {
        if let embedding {
            let width = embedding.shape[1]
            for (index, id) in rows.enumerated() {
                (target + embedding.offset + Int(id) * width).update(from: values + index * width, count: width)
            }
        }
        for (model, entry) in dense { (target + model.offset).update(from: values + entry.offset, count: model.count) }
    }

    /// Floats a client trains and sends.
    package var trainedCount: Int { updateLayout.count }
}
