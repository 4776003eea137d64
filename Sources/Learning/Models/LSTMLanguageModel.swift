import Foundation
import Kernels

/// The LSTM language model of pfl-research's StackOverflow benchmark: embedding → LSTM → projection →
/// output tied to the embedding (logits = projection · Eᵀ), padding id 0 ignored.
///
/// Sizes come from `Configuration`; the default is the benchmark's (vocab 10,000, embedding 96, hidden
/// 256). Initialisation follows PyTorch's defaults as pfl-research uses them: embedding N(0, 1) with the
/// padding row zero, LSTM input weights Xavier-uniform, other weights and biases U(±1/√fan_in). (pfl
/// makes the recurrent weights orthogonal; we use the uniform default, documented in docs/models.md.)
/// With `lstmBiases` 2 the LSTM keeps torch's two gate biases as two tensors (`lstm.bias`,
/// `lstm.recurrentBias`), so training from pfl's weights moves them as pfl-research does.
package final class LSTMLanguageModel: LanguageModel {
    /// The model's sizes.
    package struct Configuration: Sendable, Equatable, Codable {
        package var vocabularySize = 10_000
        package var embeddingSize = 96
        package var hiddenSize = 256
        /// The LSTM's gate biases: 1 (Murmur's default) or 2 trained apart, as `torch.nn.LSTM`'s `bias_ih_l0` and
        /// `bias_hh_l0` (the same function; SGD and Adam move their sum twice as fast — docs/benchmarks.md).
        package var lstmBiases = 1
        package init(vocabularySize: Int = 10_000, embeddingSize: Int = 96, hiddenSize: Int = 256, lstmBiases: Int = 1) {
            precondition(lstmBiases == 1 || lstmBiases == 2, "LSTMLanguageModel: lstmBiases is 1 or 2")
            self.vocabularySize = vocabularySize
            self.embeddingSize = embeddingSize
            self.hiddenSize = hiddenSize
            self.lstmBiases = lstmBiases
        }

        private enum CodingKeys: String, CodingKey { case vocabularySize, embeddingSize, hiddenSize, lstmBiases }

        /// Decodes an encoding made before `lstmBiases` existed as one bias.
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(vocabularySize: try c.decode(Int.self, forKey: .vocabularySize),
                      embeddingSize: try c.decode(Int.self, forKey: .embeddingSize),
                      hiddenSize: try c.decode(Int.self, forKey: .hiddenSize))
            lstmBiases = try c.decodeIfPresent(Int.self, forKey: .lstmBiases) ?? 1
            guard lstmBiases == 1 || lstmBiases == 2 else {
                throw DecodingError.dataCorruptedError(forKey: .lstmBiases, in: c, debugDescription: "lstmBiases is 1 or 2")
            }
        }

        /// Encodes `lstmBiases` only when it is 2, so a one-bias configuration encodes as it always has.
        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(vocabularySize, forKey: .vocabularySize)
            try c.encode(embeddingSize, forKey: .embeddingSize)
            try c.encode(hiddenSize, forKey: .hiddenSize)
            if lstmBiases != 1 { try c.encode(lstmBiases, forKey: .lstmBiases) }
        }
    }

    package static let paddingID: Int32 = 0
    package let configuration: Configuration
    package var parameters: ParameterSet
    package var gradients: ParameterSet
    package var vocabularySize: Int { configuration.vocabularySize }

    /// The training loss over the tied output layer, and the noise distribution of a sampled one.
    package private(set) var outputLoss = OutputLoss.softmax
    private var noiseDistribution: UnigramDistribution?
    private var trainingSeed: UInt64 = 0
    private var trainingStep: UInt64 = 0

    private let embedding: Embedding
    private let lstm: LSTM
    private let projection: Linear
    private var workspace: Workspace?

    /// The layers of a model of this configuration and the layout of their tensors: one place that
    /// both the initialiser and `shape(of:)` use, so the two cannot disagree.
    private struct Architecture {
        var layout = ParameterLayout()
        let embedding: Embedding, lstm: LSTM, projection: Linear

        init(_ configuration: Configuration) {
            let (v, e, h) = (configuration.vocabularySize, configuration.embeddingSize, configuration.hiddenSize)
            let embeddingWeight = layout.add("embedding.weight", shape: [v, e])
            let inputWeight = layout.add("lstm.inputWeight", shape: [4 * h, e])
            let recurrentWeight = layout.add("lstm.recurrentWeight", shape: [4 * h, h])
            let lstmBias = layout.add("lstm.bias", shape: [4 * h])
            // The second bias sits after the first, as bias_hh_l0 follows bias_ih_l0 in torch's state_dict.
            let recurrentBias = configuration.lstmBiases == 2 ? layout.add("lstm.recurrentBias", shape: [4 * h]) : nil
            let projectionWeight = layout.add("projection.weight", shape: [e, h])
            let projectionBias = layout.add("projection.bias", shape: [e])
            embedding = Embedding(rows: v, width: e, weight: embeddingWeight, paddingID: LSTMLanguageModel.paddingID)
            lstm = LSTM(inputSize: e, hiddenSize: h, inputWeight: inputWeight, recurrentWeight: recurrentWeight,
                        bias: lstmBias, recurrentBias: recurrentBias)
            projection = Linear(inputs: h, outputs: e, weight: projectionWeight, bias: projectionBias)
        }

        var shape: ModelShape {
            ModelShape(layout: layout, adaptableMatrices: [lstm.inputWeight, lstm.recurrentWeight, projection.weight],
                       selectableRows: embedding.weight)
        }
    }

    /// A model with freshly initialised weights drawn from `seed`.
    package init(configuration: Configuration, seed: UInt64) {
        self.configuration = configuration
        let (e, h) = (configuration.embeddingSize, configuration.hiddenSize)
        let architecture = Architecture(configuration)
        let layout = architecture.layout
        (embedding, lstm, projection) = (architecture.embedding, architecture.lstm, architecture.projection)
        let embeddingWeight = embedding.weight, inputWeight = lstm.inputWeight, recurrentWeight = lstm.recurrentWeight
        let lstmBias = lstm.bias, projectionWeight = projection.weight, projectionBias = projection.bias!
        let recurrentBias = lstm.recurrentBias
        parameters = ParameterSet(layout: layout)
        gradients = ParameterSet(layout: layout)
        parameters.withUnsafeMutableBufferPointer { values in
            func fill(_ entry: ParameterLayout.Entry, _ draw: (inout RandomStream, UnsafeMutableBufferPointer<Float>) -> Void) {
                var stream = RandomStream(seed: seed, keys: [0x1417, UInt64(entry.offset)])
                draw(&stream, UnsafeMutableBufferPointer(rebasing: values[entry.range]))
            }
            fill(embeddingWeight) { stream, buffer in
                stream.fillNormal(buffer)
                buffer[(Int(Self.paddingID) * e)..<(Int(Self.paddingID) * e + e)].update(repeating: 0)
            }
            let xavier = Float((6.0 / Double(e + 4 * h)).squareRoot())
            fill(inputWeight) { $0.fillUniform($1, low: -xavier, high: xavier) }
            let recurrentBound = Float(1 / Double(h).squareRoot())
            fill(recurrentWeight) { $0.fillUniform($1, low: -recurrentBound, high: recurrentBound) }
            fill(lstmBias) { $0.fillUniform($1, low: -recurrentBound, high: recurrentBound) }
            if let recurrentBias {  // torch.nn.LSTM draws both biases from U(±1/√H)
                fill(recurrentBias) { $0.fillUniform($1, low: -recurrentBound, high: recurrentBound) }
            }
            fill(projectionWeight) { $0.fillUniform($1, low: -recurrentBound, high: recurrentBound) }
            fill(projectionBias) { $0.fillUniform($1, low: -recurrentBound, high: recurrentBound) }
        }
    }

    package var embeddingWeight: ParameterLayout.Entry { embedding.weight }
    package var adaptableMatrices: [ParameterLayout.Entry] { [lstm.inputWeight, lstm.recurrentWeight, projection.weight] }

    /// The layout of a model of `configuration` and its adaptable and selectable tensors, without building it.
    package static func shape(of configuration: Configuration) -> ModelShape { Architecture(configuration).shape }

    package func useTrainingLoss(_ loss: OutputLoss, noise: UnigramDistribution?) {
        precondition(loss == .softmax || noise?.vocabularySize == vocabularySize, "LSTMLanguageModel: noise distribution")
        outputLoss = loss
        noiseDistribution = loss == .softmax ? nil : noise
    }

    /// Keys the noise words of the sampled losses (the only randomness in training).
    package func beginTraining(randomSeed: UInt64) {
        trainingSeed = randomSeed
        trainingStep = 0
    }

    package func lossAndGradient(_ batch: TokenBatch, pool: ThreadPool? = nil) -> SoftmaxCrossEntropy.Result {
        let w = prepareWorkspace(batch, training: true)
        // The full softmax's dE GEMM overwrites the embedding's gradient (beta 0) before anything adds to
        // it, so only the rest is zeroed: the 10000 × 96 table is most of the model, a pass saved a step.
        let fullSoftmax = w.sampled == nil
        let tableRange = embedding.weight.range
        gradients.withUnsafeMutableBufferPointer { g in
            if fullSoftmax {
                UnsafeMutableBufferPointer(rebasing: g[..<tableRange.lowerBound]).update(repeating: 0)
                UnsafeMutableBufferPointer(rebasing: g[tableRange.upperBound...]).update(repeating: 0)
            } else {
                g.update(repeating: 0)
            }
        }
        let rows = batch.batch * batch.steps
        let (v, e) = (configuration.vocabularySize, configuration.embeddingSize)
        return parameters.withUnsafeBufferPointer { p in
            let params = p.baseAddress!
            let table = params + embedding.weight.offset
            let counted = forward(w, batch: batch, parameters: params, fullLogits: w.sampled == nil, pool: pool)
            return gradients.withUnsafeMutableBufferPointer { g in
                let grads = g.baseAddress!
                let result: SoftmaxCrossEntropy.Result
                if let sampled = w.sampled, let noise = noiseDistribution {
                    var stream = RandomStream(seed: trainingSeed, keys: [0x7CE, trainingStep])
                    trainingStep += 1
                    SampledOutputLoss.drawNoise(noise, into: sampled, using: &stream)
                    result = w.countedTargets.withUnsafeBufferPointer { targets in
                        SampledOutputLoss.lossAndGradient(
                            outputLoss, projected: w.countedProjected.pointer,
                            targets: UnsafeBufferPointer(rebasing: targets[0..<counted]), table: table,
                            vocabularySize: v, noise: noise, workspace: sampled, dProjected: w.countedGradient.pointer,
                            dTable: grads + embedding.weight.offset)
                    }
                } else {
                    result = w.countedTargets.withUnsafeBufferPointer { targets in
                        SoftmaxCrossEntropy.lossAndGradient(logits: w.logits.pointer, rows: counted, classes: v,
                                                            targets: UnsafeBufferPointer(rebasing: targets[0..<counted]),
                                                            ignoredTarget: nil)
                    }
                    // logits = P Eᵀ over the counted rows: dP = dLogits E, dE += dLogitsᵀ P.
                    gemm(transposeA: false, transposeB: false, m: counted, n: e, k: v, alpha: 1, a: w.logits.pointer,
                         lda: v, b: table, ldb: e, beta: 0, c: w.countedGradient.pointer, ldc: e, pool: pool)
                    gemm(transposeA: true, transposeB: false, m: v, n: e, k: counted, alpha: 1, a: w.logits.pointer,
                         lda: v, b: w.countedProjected.pointer, ldb: e, beta: 0, c: grads + embedding.weight.offset,
                         ldc: e, pool: pool)
                }
                w.dProjected.pointer.update(repeating: 0, count: rows * e)
                w.countedRows.withUnsafeBufferPointer { countedRows in
                    RowOps.scatterAddRows(w.countedGradient.pointer,
                                          ids: UnsafeBufferPointer(rebasing: countedRows[0..<counted]), width: e,
                                          into: w.dProjected.pointer, tableRows: rows)
                }
                projection.backward(x: w.hidden.pointer, dOut: w.dProjected.pointer, rows: rows, parameters: params,
                                    gradients: grads, dX: w.dHidden.pointer, pool: pool)
                lstm.backward(x: w.embedded.pointer, h: w.hidden.pointer, dH: w.dHidden.pointer, steps: batch.steps,
                              batch: batch.batch, parameters: params, activations: w.lstm, gradients: grads,
                              dX: w.dEmbedded.pointer, pool: pool)
                w.ids.withUnsafeBufferPointer { ids in
                    embedding.backward(ids: UnsafeBufferPointer(rebasing: ids[0..<rows]), dOut: w.dEmbedded.pointer,
                                       gradients: grads)
                }
                return result
            }
        }
    }

    /// Counted rows whose logits evaluation holds at once. A held-out batch of 128 sentences has up to
    /// 2,560 counted rows, whose logits at a 10,000-word vocabulary (100 MB a thread) set the process's
    /// peak memory; scored 256 rows at a time they take 10 MB, with the same sums.
    static let evaluationLogitRows = 256

    package func evaluate(_ batch: TokenBatch, into evaluation: inout LanguageModelEvaluation, pool: ThreadPool? = nil) {
        let w = prepareWorkspace(batch, training: false)
        let v = configuration.vocabularySize
        var outcome = (result: SoftmaxCrossEntropy.Result(negativeLogLikelihood: 0, count: 0), top1: 0, top3: 0)
        parameters.withUnsafeBufferPointer { p in
            let params = p.baseAddress!
            let counted = forward(w, batch: batch, parameters: params, fullLogits: false, pool: pool)
            w.countedTargets.withUnsafeBufferPointer { targets in
                for start in stride(from: 0, to: counted, by: Self.evaluationLogitRows) {
                    let rows = min(Self.evaluationLogitRows, counted - start)
                    computeLogits(w, countedRows: start..<(start + rows), parameters: params, pool: pool)
                    SoftmaxCrossEntropy.evaluate(logits: w.logits.pointer, rows: rows, classes: v,
                                                 targets: UnsafeBufferPointer(rebasing: targets[start..<(start + rows)]),
                                                 ignoredTarget: nil, adding: &outcome)
                }
            }
        }
        evaluation.record(outcome)
    }

    package func trainingFLOPs(batch: Int, steps: Int) -> Double {
        let (v, e, h) = (Double(configuration.vocabularySize), Double(configuration.embeddingSize),
                         Double(configuration.hiddenSize))
        // A sampled loss scores the target and the shared noise words instead of the whole vocabulary.
        let outputs = outputLoss == .softmax ? v : Double(outputLoss.samples + 1)
        let forwardMultiplyAdds = e * 4 * h + h * 4 * h + h * e + e * outputs
        return 2 * 3 * forwardMultiplyAdds * Double(batch * steps)  // backward ≈ 2× forward
    }

    package func trainingWorkspaceBytes(batch: Int, steps: Int) -> Int {
        Workspace.bytes(configuration: configuration, batch: batch, steps: steps, samples: outputLoss.samples)
    }

    package var allocatedWorkspaceBytes: Int { workspace?.allocatedBytes ?? 0 }

    // ids/targets time-major, then embedding → LSTM → projection → tied logits for the counted rows only:
    // padding targets carry no loss, so their logits (most of a step's work) are never computed.
    // Returns how many rows are counted; their logits are the first rows of `w.logits` (when `fullLogits`;
    // a sampled loss stops at the counted rows' projections).
    private func forward(_ w: Workspace, batch: TokenBatch, parameters params: UnsafePointer<Float>,
                         fullLogits: Bool, pool: ThreadPool?) -> Int {
        let e = configuration.embeddingSize
        let rows = batch.batch * batch.steps
        var counted = 0
        for t in 0..<batch.steps {
            for b in 0..<batch.batch {
                let target = batch.targets[b * batch.steps + t]
                w.ids[t * batch.batch + b] = batch.inputs[b * batch.steps + t]
                if target != Self.paddingID {
                    w.countedRows[counted] = Int32(t * batch.batch + b)
                    w.countedTargets[counted] = target
                    counted += 1
                }
            }
        }
        w.ids.withUnsafeBufferPointer { ids in
            embedding.forward(ids: UnsafeBufferPointer(rebasing: ids[0..<rows]), parameters: params,
                              out: w.embedded.pointer)
        }
        lstm.forward(x: w.embedded.pointer, steps: batch.steps, batch: batch.batch, parameters: params,
                     activations: w.lstm, h: w.hidden.pointer, pool: pool)
        projection.forward(x: w.hidden.pointer, rows: rows, parameters: params, out: w.projected.pointer, pool: pool)
        w.countedRows.withUnsafeBufferPointer { countedRows in
            RowOps.gatherRows(table: w.projected.pointer, tableRows: rows, width: e,
                              ids: UnsafeBufferPointer(rebasing: countedRows[0..<counted]),
                              into: w.countedProjected.pointer)
        }
        guard fullLogits else { return counted }
        computeLogits(w, countedRows: 0..<counted, parameters: params, pool: pool)
        return counted
    }

    /// The tied logits P Eᵀ of `countedRows` (counted projections), into the first rows of `w.logits`.
    private func computeLogits(_ w: Workspace, countedRows: Range<Int>, parameters params: UnsafePointer<Float>,
                               pool: ThreadPool?) {
        let (v, e) = (configuration.vocabularySize, configuration.embeddingSize)
        gemm(transposeA: false, transposeB: true, m: countedRows.count, n: v, k: e, alpha: 1,
             a: w.countedProjected.pointer + countedRows.lowerBound * e, lda: e, b: params + embedding.weight.offset,
             ldb: e, beta: 0, c: w.logits.pointer, ldc: v, pool: pool)
    }

    // Training with a sampled loss needs no rows × vocabulary logits; evaluation needs a chunk of them.
    private func prepareWorkspace(_ batch: TokenBatch, training: Bool) -> Workspace {
        let samples = training ? outputLoss.samples : 0
        let rows = batch.batch * batch.steps
        // Training's full softmax needs every row's logits; evaluation scores them a chunk at a time.
        let logitRows = samples > 0 ? 0 : training ? rows : min(rows, Self.evaluationLogitRows)
        // Reuse the workspace for any batch that fits, so a client's short last batch does not reallocate.
        if let workspace, batch.batch <= workspace.batch, batch.steps <= workspace.steps,
           samples == 0 ? workspace.hasFullLogits && logitRows <= workspace.logitRows
                        : workspace.sampled?.samples == samples {
            return workspace
        }
        let created = Workspace(configuration: configuration, batch: max(batch.batch, workspace?.batch ?? 0),
                                steps: max(batch.steps, workspace?.steps ?? 0), samples: samples,
                                logitRows: max(logitRows, workspace?.logitRows ?? 0))
        workspace = created
        return created
    }

    /// Activations and their gradients for one batch shape, allocated once and reused every step.
    private final class Workspace {
        let batch: Int, steps: Int
        /// Rows of `logits`: every row for training with the full softmax, a chunk for evaluation, 0 with a sampled loss.
        let logitRows: Int
        var ids: [Int32], countedRows: [Int32], countedTargets: [Int32]
        let embedded, hidden, projected, countedProjected, logits, countedGradient, dProjected, dHidden,
            dEmbedded: AlignedBuffer
        let lstm: LSTM.Activations
        /// The sampled loss's scratch, when the workspace is for training with one (then `logits` is empty).
        let sampled: SampledOutputLoss.Workspace?
        var hasFullLogits: Bool { sampled == nil }

        init(configuration c: Configuration, batch: Int, steps: Int, samples: Int, logitRows: Int) {
            self.batch = batch
            self.steps = steps
            self.logitRows = samples == 0 ? logitRows : 0
            let rows = batch * steps
            ids = [Int32](repeating: 0, count: rows)
            countedRows = ids
            countedTargets = ids
            embedded = AlignedBuffer(count: rows * c.embeddingSize)
            hidden = AlignedBuffer(count: rows * c.hiddenSize)
            projected = AlignedBuffer(count: rows * c.embeddingSize)
            countedProjected = AlignedBuffer(count: rows * c.embeddingSize)
            countedGradient = AlignedBuffer(count: rows * c.embeddingSize)
            logits = AlignedBuffer(count: self.logitRows * c.vocabularySize)
            sampled = samples == 0 ? nil : SampledOutputLoss.Workspace(rows: rows, samples: samples, width: c.embeddingSize)
            dProjected = AlignedBuffer(count: rows * c.embeddingSize)
            dHidden = AlignedBuffer(count: rows * c.hiddenSize)
            dEmbedded = AlignedBuffer(count: rows * c.embeddingSize)
            lstm = LSTM.Activations(capacity: rows, batch: batch, hiddenSize: c.hiddenSize)
        }

        /// What `init` allocates for this shape, without allocating it.
        static func bytes(configuration c: Configuration, batch: Int, steps: Int, samples: Int) -> Int {
            let rows = batch * steps
            let scalars = rows * (6 * c.embeddingSize + 2 * c.hiddenSize + (samples == 0 ? c.vocabularySize : 0))
                + LSTM.Activations.scalarCount(capacity: rows, batch: batch, hiddenSize: c.hiddenSize)
            let sampledBytes = samples == 0 ? 0 : SampledOutputLoss.Workspace.bytes(rows: rows, samples: samples,
                                                                                   width: c.embeddingSize)
            return 4 * (scalars + 3 * rows) + sampledBytes  // Float and Int32 are both 4 bytes
        }

        /// What this workspace holds, counted from its buffers.
        var allocatedBytes: Int {
            let model = embedded.count + hidden.count + projected.count + countedProjected.count + logits.count
                + countedGradient.count + dProjected.count + dHidden.count + dEmbedded.count
            let recurrent = lstm.allocatedScalars
            return 4 * (model + recurrent + ids.count + countedRows.count + countedTargets.count)
                + (sampled?.allocatedBytes ?? 0)
        }
    }
}
