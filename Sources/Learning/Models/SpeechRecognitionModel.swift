import Foundation
import Kernels

/// An end-to-end speech recogniser: strided 1-D convolutional subsampling, a linear projection plus
/// sinusoidal positions, a transformer encoder (pre- or post-LN, non-causal, padding-masked), a CTC head
/// over the character classes and, when λ < 1, an attention decoder (joint CTC-attention; Kim, Hori &
/// Watanabe 2017; Gulati et al. 2020 §2.1 for the front end). Loss: λ·CTC + (1 − λ)·attention
/// cross-entropy, as a mean per target character (the FL4ASR companion's model, apple/ml-pfl4asr).
///
/// Positions are sinusoidal, not learned: they cost no parameters (nothing for the federated update to
/// carry or the DP noise to hit) and exist at any utterance length, so a 30 s test utterance needs no
/// table sized in advance.
///
/// All activations of a batch shape live in one workspace allocated on first use and grown only when a
/// larger batch shape arrives; a step allocates nothing else of size. Attention never holds a
/// batch × heads × T × T tensor (see `SelfAttention` for its memory formula). Each instance is used by
/// one thread at a time; client replicas are separate instances.
package final class SpeechRecognitionModel {
    package let configuration: Configuration
    package var parameters: ParameterSet
    package var gradients: ParameterSet
    fileprivate let architecture: Architecture
    private var dropoutSeed: UInt64
    private var trainingSteps: UInt64 = 0
    fileprivate var workspace: Workspace?
    fileprivate var positionsFilled: (steps: Int, capacity: Int) = (-1, -1)
    fileprivate var lengths: [Int] = [], decoderInputs: [Int32] = [], decoderTargets: [Int32] = []

    /// The layers of a model of this configuration and the layout of their tensors, shared by `init`
    /// and `shape(of:)` so the two cannot disagree.
    fileprivate struct Architecture {
        let layout: ParameterLayout
        let subsampling: ConvolutionalSubsampling
        let inputProjection: Linear
        let blocks: [TransformerEncoderBlock]
        let finalNorm: LayerNorm?
        let ctcHead: Linear
        let decoder: AttentionDecoder?

        init(_ c: Configuration) {
            precondition(c.ctcWeight >= 0 && c.ctcWeight <= 1, "SpeechRecognitionModel: ctcWeight \(c.ctcWeight) outside [0, 1]")
            precondition(c.classes >= 2, "SpeechRecognitionModel: \(c.classes) classes (blank plus at least one character)")
            let d = c.width
            var layout = ParameterLayout()
            subsampling = ConvolutionalSubsampling.add(to: &layout, prefix: "subsampling", inputs: c.featureWidth,
                                                       width: c.convolutionWidth, kernels: c.convolutionKernels,
                                                       strides: c.convolutionStrides)
            inputProjection = Linear(inputs: c.convolutionWidth, outputs: d,
                                     weight: layout.add("encoder.input.weight", shape: [d, c.convolutionWidth]),
                                     bias: layout.add("encoder.input.bias", shape: [d]))
            blocks = (0..<c.layers).map {
                TransformerEncoderBlock(adding: &layout, prefix: "encoder.block\($0)", width: d, heads: c.heads,
                                        feedForwardWidth: c.feedForwardWidth, placement: c.normPlacement, dropoutRate: c.dropout)
            }
            finalNorm = c.normPlacement == .preNorm
                ? LayerNorm(width: d, gamma: layout.add("encoder.final.gamma", shape: [d]), beta: layout.add("encoder.final.beta", shape: [d]))
                : nil
            ctcHead = Linear(inputs: d, outputs: c.classes, weight: layout.add("ctc.weight", shape: [c.classes, d]),
                             bias: layout.add("ctc.bias", shape: [c.classes]))
            decoder = c.hasDecoder
                ? AttentionDecoder(adding: &layout, prefix: "decoder", classes: c.classes, width: d, heads: c.heads,
                                   feedForwardWidth: c.feedForwardWidth, layers: c.decoderLayers)
                : nil
            self.layout = layout
        }

        var adaptableMatrices: [ParameterLayout.Entry] {
            [inputProjection.weight] + blocks.flatMap(\.adaptableMatrices) + [ctcHead.weight] + (decoder?.adaptableMatrices ?? [])
        }
    }

    /// The layout and adaptable tensors of a model of `configuration`, without building it.
    package static func shape(of configuration: Configuration) -> ModelShape {
        let architecture = Architecture(configuration)
        return ModelShape(layout: architecture.layout, adaptableMatrices: architecture.adaptableMatrices, selectableRows: nil)
    }

    /// A model with weights N(0, 1/fan-in) (residual projections further scaled by 1/√(2·layers), as
    /// GPT-2 does), unit norm scales, zero biases, and N(0, 1) decoder embeddings (the scale of the positions).
    package init(configuration c: Configuration, seed: UInt64) {
        configuration = c
        dropoutSeed = seed
        architecture = Architecture(c)
        let layout = architecture.layout
        parameters = ParameterSet(layout: layout)
        gradients = ParameterSet(layout: layout)
        parameters.withUnsafeMutableBufferPointer { values in
            for entry in layout.entries {
                let buffer = UnsafeMutableBufferPointer(rebasing: values[entry.range])
                if entry.name.hasSuffix("gamma") { buffer.update(repeating: 1); continue }
                if entry.name.hasSuffix("bias") || entry.name.hasSuffix("beta") { continue }
                var stream = RandomStream(seed: seed, keys: [0x5EEC, UInt64(entry.offset)])
                if entry.name.hasSuffix("embedding.weight") { stream.fillNormal(buffer, std: 1); continue }
                let fanIn = entry.count / entry.shape[0]
                let residual = entry.name.hasSuffix("attention.output.weight") || entry.name.hasSuffix("contract.weight")
                    || entry.name.hasSuffix("Attention.output.weight")
                let std = 1 / Float(fanIn).squareRoot() / (residual ? Float(2 * max(1, c.layers)).squareRoot() : 1)
                stream.fillNormal(buffer, std: std)
            }
        }
    }

    /// Output (encoder) frames for `inputFrames` input frames: the subsampling's.
    package func outputFrames(_ inputFrames: Int) -> Int { architecture.subsampling.outputFrames(inputFrames) }

    /// Keys residual dropout for the training that follows; the step counter restarts.
    package func beginTraining(randomSeed: UInt64) {
        dropoutSeed = randomSeed
        trainingSteps = 0
    }

    /// Forward and backward on `batch`: overwrites `gradients` with the gradient of the mean loss per
    /// target character, λ·CTC + (1 − λ)·attention, and returns the sums. Utterances no CTC alignment
    /// fits (more characters than frames) are left out of both losses and counted.
    package func lossAndGradient(_ batch: SpeechBatch, pool: ThreadPool?) -> SpeechLoss {
        let (plan, w) = prepare(batch, pool: pool)
        gradients.zero()
        trainingSteps += 1
        var dropout = configuration.dropout > 0 ? RandomStream(seed: dropoutSeed, keys: [0xD5A, trainingSteps]) : nil
        let lambda = configuration.ctcWeight
        return parameters.withUnsafeBufferPointer { pBuffer in
            let p = pBuffer.baseAddress!
            let encoded = encode(batch, plan: plan, w: w.floats.pointer, parameters: p, dropout: &dropout, pool: pool)
            let logits = w.floats.pointer + plan.logits
            let ctc = w.doubles.withUnsafeMutableBufferPointer { doubles in
                CTCLoss.batchLossAndGradient(logits: logits, maxFrames: plan.steps, classes: configuration.classes,
                                             frameCounts: lengths, labels: batch.labels, workspace: doubles.baseAddress!)
            }
            if lambda != 1 {
                for i in 0..<(plan.rows * configuration.classes) { logits[i] *= Float(lambda) }
            }
            var attentionSum = 0.0
            let decoderLogits: UnsafeMutablePointer<Float>?
            if let decoder = architecture.decoder, let decoderPlan = plan.decoder {
                fillDecoderSequences(batch, steps: plan.decoderSteps)
                let out = decoderInputs.withUnsafeBufferPointer { ids in
                    decoder.forward(ids: ids, batch: batch.batchSize, steps: plan.decoderSteps, memory: encoded, memorySteps: plan.steps,
                                    memoryLengths: lengths, parameters: p, plan: decoderPlan, workspace: w.floats.pointer + plan.decoderBase,
                                    pool: pool)
                }
                let scale = ctc.targetCount == 0 ? 0 : Float(1 - lambda) / Float(ctc.targetCount)
                for r in 0..<(batch.batchSize * plan.decoderSteps) {
                    let row = out + r * configuration.classes, target = decoderTargets[r]
                    guard target >= 0 else { row.update(repeating: 0, count: configuration.classes); continue }
                    let probability = Softmax.crossEntropyGradientRow(row, count: configuration.classes, target: Int(target), scale: scale)
                    attentionSum -= Double(logf(max(probability, Float.leastNormalMagnitude)))
                }
                decoderLogits = out
            } else {
                decoderLogits = nil
            }
            gradients.withUnsafeMutableBufferPointer { g in
                backward(batch, plan: plan, w: w.floats.pointer, encoded: encoded, parameters: p, gradients: g.baseAddress!,
                         withDecoder: decoderLogits != nil, pool: pool)
            }
            let ctcSum = ctc.negativeLogLikelihood
            return SpeechLoss(lossSum: lambda * ctcSum + (1 - lambda) * attentionSum, targetCount: ctc.targetCount, ctcSum: ctcSum,
                              attentionSum: attentionSum, infeasibleCount: ctc.infeasibleCount)
        }
    }

    /// Forward only, without dropout: per utterance its CTC log-probabilities `[frames, classes]` over its
    /// own output frames (for greedy or beam decoding) and its CTC loss (+∞ and infeasible when its
    /// characters cannot fit).
    package func recognise(_ batch: SpeechBatch, pool: ThreadPool?) -> [(logProbabilities: [Float], frames: Int, loss: CTCLoss.Result)] {
        let (plan, w) = prepare(batch, pool: pool)
        var noDropout: RandomStream? = nil
        let c = configuration.classes
        return parameters.withUnsafeBufferPointer { p in
            _ = encode(batch, plan: plan, w: w.floats.pointer, parameters: p.baseAddress!, dropout: &noDropout, pool: pool)
            return (0..<batch.batchSize).map { b in
                let frames = lengths[b], logits = w.floats.pointer + plan.logits + b * plan.steps * c
                var logProbabilities = Array(UnsafeBufferPointer(start: logits, count: frames * c))
                logProbabilities.withUnsafeMutableBufferPointer { Softmax.logSoftmaxRows($0.baseAddress!, rows: frames, columns: c) }
                let loss = batch.labels[b].withUnsafeBufferPointer { labels in
                    w.doubles.withUnsafeMutableBufferPointer { doubles in
                        CTCLoss.lossAndGradient(logits: logits, frames: frames, classes: c, labels: labels, workspace: doubles.baseAddress!)
                    }
                }
                return (logProbabilities, frames, loss)
            }
        }
    }

    /// Floating-point operations (2 × multiply-adds) of one training step, forward and backward (≈ 3× forward).
    package func trainingFLOPs(batch: Int, frames: Int, labelLength: Int) -> Double {
        let c = configuration, a = architecture
        var macs = 0.0, t = frames
        for layer in a.subsampling.layers {
            macs += layer.forwardFLOPs(batch: batch, frames: t)
            t = layer.outputFrames(t)
        }
        let rows = Double(batch * t)
        macs += rows * Double(c.convolutionWidth * c.width) + rows * Double(c.width * c.classes)
        macs += a.blocks.reduce(0) { $0 + $1.forwardFLOPs(batch: batch, steps: t) }
        if let decoder = a.decoder { macs += decoder.forwardFLOPs(batch: batch, steps: labelLength + 1, memorySteps: t) }
        return 2 * 3 * macs
    }

    /// Bytes of workspace a training step on `batch` utterances of `frames` input frames and labels of at
    /// most `labelLength` characters allocates (single-threaded, as a federated client runs).
    package func trainingWorkspaceBytes(batch: Int, frames: Int, labelLength: Int) -> Int {
        let plan = Plan(architecture, configuration, batch: batch, frames: frames, labelLength: labelLength, slots: 1)
        return 4 * plan.floats + 8 * plan.doubles
    }

    /// Bytes the model's workspace holds now.
    package var allocatedWorkspaceBytes: Int { workspace.map { 4 * $0.floats.count + 8 * $0.doubles.count } ?? 0 }
}

extension SpeechRecognitionModel {
    /// Offsets of every tensor of one batch shape inside the workspace.
    fileprivate struct Plan {
        let batch: Int, steps: Int, rows: Int, n: Int, decoderSteps: Int
        let conv: ConvolutionalSubsampling.Workspace
        let positions, convBase, convScratch, residuals, saved, blockSaved, final, logits: Int
        let dA, dB, blockScratch, dConv, decoderBase: Int
        let decoder: AttentionDecoder.Plan?
        let floats: Int, doubles: Int

        init(_ a: Architecture, _ c: Configuration, batch: Int, frames: Int, labelLength: Int, slots: Int) {
            self.batch = batch
            conv = ConvolutionalSubsampling.Workspace(a.subsampling, batch: batch, frames: frames)
            steps = a.subsampling.outputFrames(frames)
            rows = batch * steps
            n = rows * c.width
            decoderSteps = labelLength + 1
            var offset = 0
            func take(_ count: Int) -> Int { defer { offset += count }; return offset }
            positions = take(steps * c.width)
            convBase = take(conv.count)
            convScratch = take(conv.scratchCount)
            residuals = take((a.blocks.count + 1) * n)
            blockSaved = a.blocks.first?.savedCount(batch: batch, steps: steps) ?? 0
            saved = take(a.blocks.count * blockSaved)
            final = take(a.finalNorm == nil ? 0 : n + 2 * rows)
            logits = take(rows * c.classes)
            dA = take(n)
            dB = take(n)
            blockScratch = take(a.blocks.first?.scratchCount(batch: batch, steps: steps, slots: slots) ?? 0)
            dConv = take(rows * c.convolutionWidth)
            decoder = a.decoder?.plan(batch: batch, steps: labelLength + 1, memorySteps: steps, slots: slots)
            decoderBase = take(decoder?.count ?? 0)
            floats = offset
            doubles = CTCLoss.batchWorkspaceCount(frames: steps, labels: labelLength, classes: c.classes)
        }
    }

    /// Floats and doubles of the largest batch shape seen so far.
    fileprivate final class Workspace {
        let floats: AlignedBuffer
        var doubles: [Double]
        init(floats: Int, doubles: Int) {
            self.floats = AlignedBuffer(count: floats)
            self.doubles = [Double](repeating: 0, count: doubles)
        }
    }

    /// The plan for `batch` and a workspace that holds it (reused when large enough), and the per-utterance
    /// output frame counts in `lengths`.
    fileprivate func prepare(_ batch: SpeechBatch, pool: ThreadPool?) -> (Plan, Workspace) {
        precondition(batch.featureWidth == configuration.featureWidth,
                     "SpeechRecognitionModel: features \(batch.featureWidth) wide, model expects \(configuration.featureWidth)")
        let plan = Plan(architecture, configuration, batch: batch.batchSize, frames: batch.maxFrames,
                        labelLength: batch.maxLabelLength, slots: SelfAttention.slots(pool: pool))
        if workspace == nil || workspace!.floats.count < plan.floats || workspace!.doubles.count < plan.doubles {
            workspace = Workspace(floats: max(plan.floats, workspace?.floats.count ?? 0), doubles: max(plan.doubles, workspace?.doubles.count ?? 0))
            positionsFilled = (-1, -1)
        }
        let w = workspace!
        if positionsFilled != (plan.steps, plan.positions) {
            SinusoidalPositions.fill(w.floats.pointer + plan.positions, steps: plan.steps, width: configuration.width)
            positionsFilled = (plan.steps, plan.positions)
        }
        lengths.removeAll(keepingCapacity: true)
        for frames in batch.frameCounts { lengths.append(outputFrames(frames)) }
        return (plan, w)
    }

    /// Decoder inputs (0, y₁…y_L, then 0 padding) and targets (y₁…y_L, 0, then −1 = ignored); an
    /// utterance CTC cannot align is ignored whole, as the CTC loss ignores it.
    private func fillDecoderSequences(_ batch: SpeechBatch, steps: Int) {
        decoderInputs.removeAll(keepingCapacity: true)
        decoderTargets.removeAll(keepingCapacity: true)
        for (b, labels) in batch.labels.enumerated() {
            let feasible = labels.withUnsafeBufferPointer { CTCLoss.minimumFrames($0) } <= lengths[b]
            for u in 0..<steps {
                decoderInputs.append(u == 0 || u > labels.count ? 0 : labels[u - 1])
                decoderTargets.append(!feasible || u > labels.count ? -1 : u < labels.count ? labels[u] : 0)
            }
        }
    }

    /// The encoder forward pass and the CTC logits (in the workspace); returns the encoder output.
    fileprivate func encode(_ batch: SpeechBatch, plan: Plan, w: UnsafeMutablePointer<Float>, parameters p: UnsafePointer<Float>,
                            dropout: inout RandomStream?, pool: ThreadPool?) -> UnsafeMutablePointer<Float> {
        let a = architecture, c = configuration
        let convOut = batch.features.withUnsafeBufferPointer { features in
            a.subsampling.forward(x: features.baseAddress!, batch: batch.batchSize, frames: batch.maxFrames, parameters: p,
                                  workspace: w + plan.convBase, pool: pool)
        }
        let x0 = w + plan.residuals
        a.inputProjection.forward(x: convOut, rows: plan.rows, parameters: p, out: x0, pool: pool)
        SinusoidalPositions.add(w + plan.positions, to: x0, batch: plan.batch, steps: plan.steps, width: c.width)
        for (l, block) in a.blocks.enumerated() {
            block.forward(x: x0 + l * plan.n, batch: plan.batch, steps: plan.steps, lengths: lengths, parameters: p,
                          saved: w + plan.saved + l * plan.blockSaved, out: x0 + (l + 1) * plan.n, scratch: w + plan.blockScratch,
                          dropout: &dropout, pool: pool)
        }
        var encoded = x0 + a.blocks.count * plan.n
        if let norm = a.finalNorm {
            let final = w + plan.final
            norm.forward(x: encoded, rows: plan.rows, parameters: p, out: final, mean: final + plan.n, rstd: final + plan.n + plan.rows)
            encoded = final
        }
        a.ctcHead.forward(x: encoded, rows: plan.rows, parameters: p, out: w + plan.logits, pool: pool)
        return encoded
    }

    /// Backward from the loss gradients left in the workspace's logits (CTC and, if present, the decoder's).
    fileprivate func backward(_ batch: SpeechBatch, plan: Plan, w: UnsafeMutablePointer<Float>, encoded: UnsafeMutablePointer<Float>,
                              parameters p: UnsafePointer<Float>, gradients g: UnsafeMutablePointer<Float>, withDecoder: Bool,
                              pool: ThreadPool?) {
        let a = architecture
        var current = w + plan.dA, other = w + plan.dB
        a.ctcHead.backward(x: encoded, dOut: w + plan.logits, rows: plan.rows, parameters: p, gradients: g, dX: current, pool: pool)
        if withDecoder, let decoder = a.decoder, let decoderPlan = plan.decoder {
            decoderInputs.withUnsafeBufferPointer { ids in
                decoder.backward(ids: ids, batch: plan.batch, steps: plan.decoderSteps, memory: encoded, memorySteps: plan.steps,
                                 memoryLengths: lengths, parameters: p, gradients: g, dMemory: current, plan: decoderPlan,
                                 workspace: w + plan.decoderBase, pool: pool)
            }
        }
        let x0 = w + plan.residuals
        if let norm = a.finalNorm {
            let final = w + plan.final
            norm.backward(x: x0 + a.blocks.count * plan.n, dOut: current, rows: plan.rows, mean: final + plan.n,
                          rstd: final + plan.n + plan.rows, parameters: p, gradients: g, dX: other)
            swap(&current, &other)
        }
        for (l, block) in a.blocks.enumerated().reversed() {
            block.backward(x: x0 + l * plan.n, dOut: current, batch: plan.batch, steps: plan.steps, lengths: lengths, parameters: p,
                           saved: w + plan.saved + l * plan.blockSaved, gradients: g, scratch: w + plan.blockScratch, dX: other, pool: pool)
            swap(&current, &other)
        }
        let convOut = w + plan.convBase + plan.conv.activations[a.subsampling.layers.count - 1]
        a.inputProjection.backward(x: convOut, dOut: current, rows: plan.rows, parameters: p, gradients: g, dX: w + plan.dConv, pool: pool)
        a.subsampling.backward(dOut: w + plan.dConv, batch: plan.batch, frames: batch.maxFrames, parameters: p, gradients: g, dX: nil,
                               workspace: w + plan.convBase, scratch: w + plan.convScratch, pool: pool)
    }
}
