import Foundation
import Kernels

/// A small GPT-style language model: token + learned position embeddings, pre-norm blocks
/// (x + attn(LN(x)), x + MLP(LN(x)) with GELU), a final layer norm and output tied to the token embedding
/// (Radford et al. 2019; the layout of llm.c's GPT-2). Batch-major, padding id 0 ignored by the loss.
/// Residual dropout (on each block's attention and MLP output) draws its masks from a stream keyed by
/// the model's seed and a step counter, so training is reproducible.
package final class TransformerLanguageModel: LanguageModel {
    /// The model's sizes.
    package struct Configuration: Sendable, Equatable, Codable {
        package var vocabularySize: Int
        package var width: Int
        package var heads: Int
        package var layers: Int
        package var maxSteps: Int
        package var dropout: Float
        package init(vocabularySize: Int, width: Int = 64, heads: Int = 4, layers: Int = 2, maxSteps: Int = 32,
                     dropout: Float = 0) {
            self.vocabularySize = vocabularySize
            self.width = width
            self.heads = heads
            self.layers = layers
            self.maxSteps = maxSteps
            self.dropout = dropout
        }
    }

    private struct Block {
        let norm1: LayerNorm, attention: CausalSelfAttention, norm2: LayerNorm, expand: Linear, contract: Linear
    }

    package static let paddingID: Int32 = 0
    package let configuration: Configuration
    package var parameters: ParameterSet
    package var gradients: ParameterSet
    package var vocabularySize: Int { configuration.vocabularySize }
    private let tokens: Embedding, positions: ParameterLayout.Entry, blocks: [Block], finalNorm: LayerNorm
    private let seed: UInt64
    private var trainingSteps: UInt64 = 0
    private var dropoutSeed: UInt64
    private var workspace: Workspace?

    /// The layers of a model of this configuration and the layout of their tensors: one place that
    /// both the initialiser and `shape(of:)` use, so the two cannot disagree.
    private struct Architecture {
        let layout: ParameterLayout
        let tokens: Embedding, positions: ParameterLayout.Entry, blocks: [Block], finalNorm: LayerNorm

        init(_ c: Configuration) {
            let d = c.width
            var layout = ParameterLayout()
            tokens = Embedding(rows: c.vocabularySize, width: d, weight: layout.add("token.weight", shape: [c.vocabularySize, d]),
                               paddingID: TransformerLanguageModel.paddingID)
            positions = layout.add("position.weight", shape: [c.maxSteps, d])
            var blocks: [Block] = []
            for l in 0..<c.layers {
                func linear(_ name: String, _ inputs: Int, _ outputs: Int) -> Linear {
                    Linear(inputs: inputs, outputs: outputs, weight: layout.add("\(name).weight", shape: [outputs, inputs]),
                           bias: layout.add("\(name).bias", shape: [outputs]))
                }
                let norm1 = LayerNorm(width: d, gamma: layout.add("block\(l).norm1.gamma", shape: [d]),
                                      beta: layout.add("block\(l).norm1.beta", shape: [d]))
                let attention = CausalSelfAttention(width: d, heads: c.heads, qkv: linear("block\(l).attention.qkv", d, 3 * d),
                                                    output: linear("block\(l).attention.output", d, d))
                let norm2 = LayerNorm(width: d, gamma: layout.add("block\(l).norm2.gamma", shape: [d]),
                                      beta: layout.add("block\(l).norm2.beta", shape: [d]))
                blocks.append(Block(norm1: norm1, attention: attention, norm2: norm2,
                                    expand: linear("block\(l).mlp.expand", d, 4 * d), contract: linear("block\(l).mlp.contract", 4 * d, d)))
            }
            self.blocks = blocks
            finalNorm = LayerNorm(width: d, gamma: layout.add("final.gamma", shape: [d]), beta: layout.add("final.beta", shape: [d]))
            self.layout = layout
        }

        var adaptableMatrices: [ParameterLayout.Entry] {
            blocks.flatMap { [$0.attention.qkv.weight, $0.attention.output.weight, $0.expand.weight, $0.contract.weight] }
        }
    }

    /// The layout of a model of `configuration` and its adaptable and selectable tensors, without building it.
    package static func shape(of configuration: Configuration) -> ModelShape {
        let architecture = Architecture(configuration)
        return ModelShape(layout: architecture.layout, adaptableMatrices: architecture.adaptableMatrices,
                          selectableRows: architecture.tokens.weight)
    }

    /// A model with GPT-2's initialisation (N(0, 0.02), residual projections scaled by 1/√(2·layers)).
    package init(configuration c: Configuration, seed: UInt64) {
        configuration = c
        self.seed = seed
        dropoutSeed = seed
        let d = c.width
        let architecture = Architecture(c)
        let layout = architecture.layout
        (tokens, positions, blocks, finalNorm) = (architecture.tokens, architecture.positions, architecture.blocks,
                                                  architecture.finalNorm)
        parameters = ParameterSet(layout: layout)
        gradients = ParameterSet(layout: layout)
        parameters.withUnsafeMutableBufferPointer { values in
            for entry in layout.entries {
                let buffer = UnsafeMutableBufferPointer(rebasing: values[entry.range])
                if entry.name.hasSuffix("gamma") { buffer.update(repeating: 1); continue }
                if entry.name.hasSuffix("bias") || entry.name.hasSuffix("beta") { continue }
                var stream = RandomStream(seed: seed, keys: [0x7A11, UInt64(entry.offset)])
                let residual = entry.name.hasSuffix("attention.output.weight") || entry.name.hasSuffix("contract.weight")
                stream.fillNormal(buffer, std: residual ? 0.02 / Float(2 * c.layers).squareRoot() : 0.02)
            }
            values[0..<d].update(repeating: 0)  // padding row
        }
    }

    package var embeddingWeight: ParameterLayout.Entry { tokens.weight }
    package var adaptableMatrices: [ParameterLayout.Entry] {
        blocks.flatMap { [$0.attention.qkv.weight, $0.attention.output.weight, $0.expand.weight, $0.contract.weight] }
    }

    /// Only the exact softmax: the sampled losses are implemented for the LSTM (the scenario checks).
    package func useTrainingLoss(_ loss: OutputLoss, noise: UnigramDistribution?) {
        precondition(loss == .softmax, "TransformerLanguageModel: sampled losses are implemented for the LSTM only")
    }

    package func beginTraining(randomSeed: UInt64) {
        dropoutSeed = randomSeed
        trainingSteps = 0
    }

    package func lossAndGradient(_ batch: TokenBatch, pool: ThreadPool? = nil) -> SoftmaxCrossEntropy.Result {
        let w = prepareWorkspace(batch)
        gradients.zero()
        trainingSteps += 1
        var dropoutStream = configuration.dropout > 0 ? RandomStream(seed: dropoutSeed, keys: [0xD50, trainingSteps]) : nil
        return parameters.withUnsafeBufferPointer { p in
            let params = p.baseAddress!
            forward(w, batch: batch, parameters: params, dropout: &dropoutStream, pool: pool)
            let result = batch.targets.withUnsafeBufferPointer { targets in
                SoftmaxCrossEntropy.lossAndGradient(logits: w.logits.pointer, rows: w.rows, classes: vocabularySize,
                                                    targets: targets, ignoredTarget: Self.paddingID)
            }
            gradients.withUnsafeMutableBufferPointer { g in
                backward(w, batch: batch, parameters: params, gradients: g.baseAddress!, pool: pool)
            }
            return result
        }
    }

    package func evaluate(_ batch: TokenBatch, into evaluation: inout LanguageModelEvaluation, pool: ThreadPool? = nil) {
        let w = prepareWorkspace(batch)
        var noDropout: RandomStream? = nil
        parameters.withUnsafeBufferPointer { p in
            forward(w, batch: batch, parameters: p.baseAddress!, dropout: &noDropout, pool: pool)
        }
        let outcome = batch.targets.withUnsafeBufferPointer { targets in
            SoftmaxCrossEntropy.evaluate(logits: w.logits.pointer, rows: w.rows, classes: vocabularySize,
                                         targets: targets, ignoredTarget: Self.paddingID)
        }
        evaluation.record(outcome)
    }

    package func trainingFLOPs(batch: Int, steps: Int) -> Double {
        let d = Double(configuration.width), t = Double(steps)
        let perToken = Double(configuration.layers) * (12 * d * d + 2 * t * d) + d * Double(vocabularySize)
        return 2 * 3 * perToken * Double(batch * steps)
    }

    package func trainingWorkspaceBytes(batch: Int, steps: Int) -> Int {
        Workspace.bytes(configuration: configuration, batch: batch, steps: steps)
    }

    package var allocatedWorkspaceBytes: Int { workspace?.allocatedBytes ?? 0 }

    // x0 = tokens + positions; per block: x += drop(attn(LN1 x)); x += drop(MLP(LN2 x)); logits = LN_f(x) Eᵀ
    private func forward(_ w: Workspace, batch: TokenBatch, parameters params: UnsafePointer<Float>,
                         dropout: inout RandomStream?, pool: ThreadPool?) {
        precondition(batch.steps <= configuration.maxSteps, "TransformerLanguageModel: sequence longer than maxSteps")
        let d = configuration.width, rows = w.rows
        batch.inputs.withUnsafeBufferPointer { ids in tokens.forward(ids: ids, parameters: params, out: w.residual(0)) }
        for r in 0..<rows {
            let position = params + positions.offset + (r % batch.steps) * d, row = w.residual(0) + r * d
            for j in 0..<d { row[j] += position[j] }
        }
        for (l, block) in blocks.enumerated() {
            let x = w.residual(2 * l), middle = w.residual(2 * l + 1), next = w.residual(2 * l + 2)
            block.norm1.forward(x: x, rows: rows, parameters: params, out: w.normed(2 * l), mean: w.mean(2 * l), rstd: w.rstd(2 * l))
            block.attention.forward(x: w.normed(2 * l), batch: batch.batch, steps: batch.steps, parameters: params,
                                    buffers: w.attention(l), out: w.branch(2 * l), pool: pool)
            addBranch(w, 2 * l, from: x, into: middle, dropout: &dropout)
            block.norm2.forward(x: middle, rows: rows, parameters: params, out: w.normed(2 * l + 1), mean: w.mean(2 * l + 1),
                                rstd: w.rstd(2 * l + 1))
            block.expand.forward(x: w.normed(2 * l + 1), rows: rows, parameters: params, out: w.hiddenPre(l), pool: pool)
            for i in 0..<(rows * 4 * d) { w.hidden(l)[i] = Elementwise.gelu(w.hiddenPre(l)[i]) }
            block.contract.forward(x: w.hidden(l), rows: rows, parameters: params, out: w.branch(2 * l + 1), pool: pool)
            addBranch(w, 2 * l + 1, from: middle, into: next, dropout: &dropout)
        }
        let last = 2 * blocks.count
        finalNorm.forward(x: w.residual(last), rows: rows, parameters: params, out: w.normed(last), mean: w.mean(last), rstd: w.rstd(last))
        gemm(transposeA: false, transposeB: true, m: rows, n: vocabularySize, k: d, alpha: 1, a: w.normed(last), lda: d,
             b: params + tokens.weight.offset, ldb: d, beta: 0, c: w.logits.pointer, ldc: vocabularySize, pool: pool)
    }

    /// next = previous + dropout(branch k); the mask is kept for backward (all ones without dropout).
    private func addBranch(_ w: Workspace, _ k: Int, from previous: UnsafePointer<Float>, into next: UnsafeMutablePointer<Float>,
                           dropout: inout RandomStream?) {
        let count = w.rows * configuration.width, branch = w.branch(k), mask = w.mask(k)
        if dropout != nil {
            Dropout.forward(x: branch, count: count, rate: configuration.dropout, stream: &dropout!, mask: mask, out: branch)
        } else {
            mask.update(repeating: 1, count: count)
        }
        for i in 0..<count { next[i] = previous[i] + branch[i] }
    }

    private func backward(_ w: Workspace, batch: TokenBatch, parameters params: UnsafePointer<Float>,
                          gradients grads: UnsafeMutablePointer<Float>, pool: ThreadPool?) {
        let d = configuration.width, rows = w.rows, count = rows * d, last = 2 * blocks.count
        let dResidual = w.dResidual.pointer, dBranch = w.dBranch.pointer, dHidden = w.dHidden.pointer
        // logits = N Eᵀ: dN = dLogits E (into dBranch), dE += dLogitsᵀ N
        gemm(transposeA: false, transposeB: false, m: rows, n: d, k: vocabularySize, alpha: 1, a: w.logits.pointer,
             lda: vocabularySize, b: params + tokens.weight.offset, ldb: d, beta: 0, c: dBranch, ldc: d, pool: pool)
        gemm(transposeA: true, transposeB: false, m: vocabularySize, n: d, k: rows, alpha: 1, a: w.logits.pointer,
             lda: vocabularySize, b: w.normed(last), ldb: d, beta: 1, c: grads + tokens.weight.offset, ldc: d, pool: pool)
        finalNorm.backward(x: w.residual(last), dOut: dBranch, rows: rows, mean: w.mean(last), rstd: w.rstd(last),
                           parameters: params, gradients: grads, dX: dResidual)
        for (l, block) in blocks.enumerated().reversed() {
            // MLP branch: dResidual flows to the branch through the dropout mask, then back to the block input.
            Dropout.backward(dOut: dResidual, mask: w.mask(2 * l + 1), count: count, dX: dBranch)
            block.contract.backward(x: w.hidden(l), dOut: dBranch, rows: rows, parameters: params, gradients: grads,
                                    dX: dHidden, pool: pool)
            for i in 0..<(rows * 4 * d) { dHidden[i] *= Elementwise.geluDerivative(w.hiddenPre(l)[i]) }
            block.expand.backward(x: w.normed(2 * l + 1), dOut: dHidden, rows: rows, parameters: params, gradients: grads,
                                  dX: dBranch, pool: pool)
            block.norm2.backward(x: w.residual(2 * l + 1), dOut: dBranch, rows: rows, mean: w.mean(2 * l + 1),
                                 rstd: w.rstd(2 * l + 1), parameters: params, gradients: grads, dX: w.dNormed.pointer)
            for i in 0..<count { dResidual[i] += w.dNormed.pointer[i] }
            // Attention branch.
            Dropout.backward(dOut: dResidual, mask: w.mask(2 * l), count: count, dX: dBranch)
            block.attention.backward(x: w.normed(2 * l), dOut: dBranch, batch: batch.batch, steps: batch.steps,
                                     parameters: params, buffers: w.attention(l), gradients: grads,
                                     scratch: w.attentionScratch.pointer, dX: w.dNormed.pointer, pool: pool)
            block.norm1.backward(x: w.residual(2 * l), dOut: w.dNormed.pointer, rows: rows, mean: w.mean(2 * l),
                                 rstd: w.rstd(2 * l), parameters: params, gradients: grads, dX: dBranch)
            for i in 0..<count { dResidual[i] += dBranch[i] }
        }
        let dPositions = grads + positions.offset
        for r in 0..<rows {
            let position = dPositions + (r % batch.steps) * d, row = dResidual + r * d
            for j in 0..<d { position[j] += row[j] }
        }
        batch.inputs.withUnsafeBufferPointer { ids in tokens.backward(ids: ids, dOut: dResidual, gradients: grads) }
    }

    private func prepareWorkspace(_ batch: TokenBatch) -> Workspace {
        if let workspace, workspace.batch == batch.batch, workspace.steps == batch.steps { return workspace }
        let created = Workspace(configuration: configuration, batch: batch.batch, steps: batch.steps)
        workspace = created
        return created
    }

    /// All activations of one batch shape in a few large buffers, sliced per layer; allocated once.
    private final class Workspace {
        let batch: Int, steps: Int, rows: Int, width: Int, heads: Int
        let residuals, normedStore, means, rstds, branches, masks, hiddenPreStore, hiddenStore, attentionStore: AlignedBuffer
        let logits, dResidual, dBranch, dNormed, dHidden, attentionScratch: AlignedBuffer

        init(configuration c: Configuration, batch: Int, steps: Int) {
            self.batch = batch
            self.steps = steps
            rows = batch * steps
            width = c.width
            heads = c.heads
            let n = rows * c.width, l = c.layers
            residuals = AlignedBuffer(count: (2 * l + 1) * n)
            normedStore = AlignedBuffer(count: (2 * l + 1) * n)
            means = AlignedBuffer(count: (2 * l + 1) * rows)
            rstds = AlignedBuffer(count: (2 * l + 1) * rows)
            branches = AlignedBuffer(count: 2 * l * n)
            masks = AlignedBuffer(count: 2 * l * n)
            hiddenPreStore = AlignedBuffer(count: l * 4 * n)
            hiddenStore = AlignedBuffer(count: l * 4 * n)
            attentionStore = AlignedBuffer(
                count: l * CausalSelfAttention.Buffers.count(batch: batch, steps: steps, width: c.width, heads: c.heads))
            logits = AlignedBuffer(count: rows * c.vocabularySize)
            dResidual = AlignedBuffer(count: n)
            dBranch = AlignedBuffer(count: n)
            dNormed = AlignedBuffer(count: n)
            dHidden = AlignedBuffer(count: 4 * n)
            attentionScratch = AlignedBuffer(count: CausalSelfAttention.scratchCount(batch: batch, steps: steps, width: c.width))
        }

        /// What `init` allocates for this shape, without allocating it.
        static func bytes(configuration c: Configuration, batch: Int, steps: Int) -> Int {
            let rows = batch * steps, n = rows * c.width, l = c.layers
            let stored = (2 * l + 1) * (2 * n + 2 * rows) + 2 * l * 2 * n + l * 2 * 4 * n
                + l * CausalSelfAttention.Buffers.count(batch: batch, steps: steps, width: c.width, heads: c.heads)
            let gradients = rows * c.vocabularySize + 3 * n + 4 * n
                + CausalSelfAttention.scratchCount(batch: batch, steps: steps, width: c.width)
            return 4 * (stored + gradients)
        }

        /// What this workspace holds, counted from its buffers.
        var allocatedBytes: Int {
            let stored = residuals.count + normedStore.count + means.count + rstds.count + branches.count + masks.count
                + hiddenPreStore.count + hiddenStore.count + attentionStore.count
            return 4 * (stored + logits.count + dResidual.count + dBranch.count + dNormed.count + dHidden.count
                + attentionScratch.count)
        }

        func residual(_ k: Int) -> UnsafeMutablePointer<Float> { residuals.pointer + k * rows * width }
        func normed(_ k: Int) -> UnsafeMutablePointer<Float> { normedStore.pointer + k * rows * width }
        func mean(_ k: Int) -> UnsafeMutablePointer<Float> { means.pointer + k * rows }
        func rstd(_ k: Int) -> UnsafeMutablePointer<Float> { rstds.pointer + k * rows }
        func branch(_ k: Int) -> UnsafeMutablePointer<Float> { branches.pointer + k * rows * width }
        func mask(_ k: Int) -> UnsafeMutablePointer<Float> { masks.pointer + k * rows * width }
        func hiddenPre(_ l: Int) -> UnsafeMutablePointer<Float> { hiddenPreStore.pointer + l * 4 * rows * width }
        func hidden(_ l: Int) -> UnsafeMutablePointer<Float> { hiddenStore.pointer + l * 4 * rows * width }
        func attention(_ l: Int) -> CausalSelfAttention.Buffers {
            let base = attentionStore.pointer
                + l * CausalSelfAttention.Buffers.count(batch: batch, steps: steps, width: width, heads: heads)
            return .init(qkv: base, probabilities: base + rows * 3 * width, mixed: base + rows * 3 * width + batch * heads * steps * steps)
        }
    }
}
