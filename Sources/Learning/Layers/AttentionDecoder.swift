import Foundation
import Kernels

/// The attention half of a joint CTC-attention recogniser (CTC-AED; Kim, Hori & Watanabe 2017): a small
/// pre-LN transformer decoder over the previous characters — causal self-attention, cross-attention to
/// the encoder output (its padding masked), a GELU feed-forward network — then a final layer norm and a
/// softmax over the character classes, trained by teacher forcing (Vaswani et al. 2017, §3.1).
///
/// Class 0, the CTC blank, is never a character, so the decoder uses it as both start and end marker:
/// the input of an utterance y₁…y_L is 0, y₁…y_L and its targets y₁…y_L, 0 (L + 1 steps); shorter
/// sequences of the batch are padded with inputs 0 and ignored targets. Positions are sinusoidal. The
/// causal self-attention is `CausalSelfAttention`, whose B·H·U² probabilities are small at character
/// lengths (U ≤ a few hundred); the cross-attention keeps no U × T block (see `CrossAttention`).
package struct AttentionDecoder: Sendable {
    package let width: Int
    package let heads: Int
    package let feedForwardWidth: Int
    package let classes: Int
    package let embedding: Embedding
    package let finalNorm: LayerNorm
    package let output: Linear
    fileprivate let blocks: [Block]

    fileprivate struct Block: Sendable {
        let norm1: LayerNorm, selfAttention: CausalSelfAttention, norm2: LayerNorm, cross: CrossAttention
        let norm3: LayerNorm, expand: Linear, contract: Linear
    }

    /// Adds the decoder's tensors under `prefix` ("decoder") to `layout`.
    package init(adding layout: inout ParameterLayout, prefix: String, classes: Int, width d: Int, heads: Int,
                 feedForwardWidth f: Int, layers: Int) {
        width = d
        self.heads = heads
        feedForwardWidth = f
        self.classes = classes
        func norm(_ name: String) -> LayerNorm {
            LayerNorm(width: d, gamma: layout.add("\(name).gamma", shape: [d]), beta: layout.add("\(name).beta", shape: [d]))
        }
        func linear(_ name: String, _ inputs: Int, _ outputs: Int) -> Linear {
            Linear(inputs: inputs, outputs: outputs, weight: layout.add("\(name).weight", shape: [outputs, inputs]),
                   bias: layout.add("\(name).bias", shape: [outputs]))
        }
        embedding = Embedding(rows: classes, width: d, weight: layout.add("\(prefix).embedding.weight", shape: [classes, d]),
                              paddingID: nil)
        var blocks: [Block] = []
        for l in 0..<layers {
            let name = "\(prefix).block\(l)"
            let norm1 = norm("\(name).norm1")
            let attention = CausalSelfAttention(width: d, heads: heads, qkv: linear("\(name).selfAttention.qkv", d, 3 * d),
                                                output: linear("\(name).selfAttention.output", d, d))
            let norm2 = norm("\(name).norm2")
            let cross = CrossAttention(adding: &layout, prefix: "\(name).crossAttention", width: d, heads: heads)
            let norm3 = norm("\(name).norm3")
            blocks.append(Block(norm1: norm1, selfAttention: attention, norm2: norm2, cross: cross, norm3: norm3,
                                expand: linear("\(name).feedForward.expand", d, f), contract: linear("\(name).feedForward.contract", f, d)))
        }
        self.blocks = blocks
        finalNorm = norm("\(prefix).final")
        output = linear("\(prefix).output", d, classes)
    }

    /// The weight matrices low-rank adapters may attach to.
    package var adaptableMatrices: [ParameterLayout.Entry] {
        blocks.flatMap {
            [$0.selfAttention.qkv.weight, $0.selfAttention.output.weight, $0.cross.query.weight, $0.cross.keyValue.weight,
             $0.cross.output.weight, $0.expand.weight, $0.contract.weight]
        } + [output.weight]
    }

    /// Multiply-adds of one forward pass over `batch` × `steps` decoder steps against `memorySteps` frames.
    package func forwardFLOPs(batch: Int, steps: Int, memorySteps: Int) -> Double {
        let rows = Double(batch * steps), d = Double(width)
        let selfAttention = rows * (4 * d * d + Double(steps) * d)
        let perBlock = selfAttention + blocks[0].cross.forwardFLOPs(batch: batch, steps: steps, memorySteps: memorySteps)
            + rows * 2 * d * Double(feedForwardWidth)
        return Double(blocks.count) * perBlock + rows * d * Double(classes)
    }

    /// Where the decoder's tensors sit in its workspace for one batch shape.
    package struct Plan: Sendable {
        let rows: Int, n: Int, blockSaved: Int, causalSaved: Int
        let residuals: Int, saved: Int, final: Int, logits: Int, positions: Int
        let dResidual: Int, dBranch: Int, dTemp: Int, hidden: Int, dHidden: Int, causalScratch: Int, crossScratch: Int
        /// Floats in all.
        package let count: Int

        init(_ decoder: AttentionDecoder, batch: Int, steps: Int, memorySteps: Int, slots: Int) {
            let d = decoder.width, f = decoder.feedForwardWidth, l = decoder.blocks.count
            rows = batch * steps
            n = rows * d
            causalSaved = CausalSelfAttention.Buffers.count(batch: batch, steps: steps, width: d, heads: decoder.heads)
            blockSaved = 5 * n + rows * (f + 6) + causalSaved
                + CrossAttention.savedCount(batch: batch, steps: steps, memorySteps: memorySteps, width: d, heads: decoder.heads)
            var offset = 0
            func take(_ count: Int) -> Int { defer { offset += count }; return offset }
            residuals = take((l + 1) * n)
            saved = take(l * blockSaved)
            final = take(n + 2 * rows)
            logits = take(rows * decoder.classes)
            positions = take(steps * d)
            dResidual = take(n)
            dBranch = take(n)
            dTemp = take(n)
            hidden = take(rows * f)
            dHidden = take(rows * f)
            causalScratch = take(CausalSelfAttention.scratchCount(batch: batch, steps: steps, width: d))
            crossScratch = take(CrossAttention.scratchCount(batch: batch, steps: steps, memorySteps: memorySteps, width: d,
                                                            slots: slots))
            count = offset
        }
    }

    /// The workspace plan for `batch` sequences of `steps` decoder steps against `memorySteps` frames.
    package func plan(batch: Int, steps: Int, memorySteps: Int, slots: Int) -> Plan {
        Plan(self, batch: batch, steps: steps, memorySteps: memorySteps, slots: slots)
    }

    private struct Saved {
        let n1, y1, n2, y2, n3, hiddenPre, mean, rstd, cross: UnsafeMutablePointer<Float>
        let causal: CausalSelfAttention.Buffers
        init(_ w: UnsafeMutablePointer<Float>, plan: Plan, block l: Int, batch: Int, steps: Int, width: Int, heads: Int,
             feedForwardWidth f: Int) {
            let base = w + plan.saved + l * plan.blockSaved, n = plan.n, rows = plan.rows
            n1 = base; y1 = base + n; n2 = base + 2 * n; y2 = base + 3 * n; n3 = base + 4 * n
            hiddenPre = base + 5 * n
            mean = hiddenPre + rows * f
            rstd = mean + 3 * rows
            let causalBase = rstd + 3 * rows
            causal = CausalSelfAttention.Buffers(qkv: causalBase, probabilities: causalBase + rows * 3 * width,
                                                 mixed: causalBase + rows * 3 * width + batch * heads * steps * steps)
            cross = causalBase + plan.causalSaved
        }
    }

    private func saved(_ w: UnsafeMutablePointer<Float>, _ plan: Plan, _ l: Int, batch: Int, steps: Int) -> Saved {
        Saved(w, plan: plan, block: l, batch: batch, steps: steps, width: width, heads: heads, feedForwardWidth: feedForwardWidth)
    }

    // ids: [B, U] decoder inputs; memory: [B, T, D] encoder output (valid rows memoryLengths[b]) → returns
    // the logits [B, U, classes] in `workspace` ([plan.count] floats)
    package func forward(ids: UnsafeBufferPointer<Int32>, batch: Int, steps: Int, memory: UnsafePointer<Float>, memorySteps: Int,
                         memoryLengths: [Int], parameters p: UnsafePointer<Float>, plan: Plan,
                         workspace w: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) -> UnsafeMutablePointer<Float> {
        let rows = plan.rows, n = plan.n, f = rows * feedForwardWidth
        let y0 = w + plan.residuals, branch = w + plan.dBranch, hidden = w + plan.hidden
        embedding.forward(ids: ids, parameters: p, out: y0)
        SinusoidalPositions.fill(w + plan.positions, steps: steps, width: width)
        SinusoidalPositions.add(w + plan.positions, to: y0, batch: batch, steps: steps, width: width)
        for (l, block) in blocks.enumerated() {
            let s = saved(w, plan, l, batch: batch, steps: steps), x = y0 + l * n, next = y0 + (l + 1) * n
            block.norm1.forward(x: x, rows: rows, parameters: p, out: s.n1, mean: s.mean, rstd: s.rstd)
            block.selfAttention.forward(x: s.n1, batch: batch, steps: steps, parameters: p, buffers: s.causal, out: branch, pool: pool)
            for i in 0..<n { s.y1[i] = x[i] + branch[i] }
            block.norm2.forward(x: s.y1, rows: rows, parameters: p, out: s.n2, mean: s.mean + rows, rstd: s.rstd + rows)
            block.cross.forward(x: s.n2, memory: memory, batch: batch, steps: steps, memorySteps: memorySteps,
                                memoryLengths: memoryLengths, parameters: p, saved: s.cross, out: branch,
                                scratch: w + plan.crossScratch, pool: pool)
            for i in 0..<n { s.y2[i] = s.y1[i] + branch[i] }
            block.norm3.forward(x: s.y2, rows: rows, parameters: p, out: s.n3, mean: s.mean + 2 * rows, rstd: s.rstd + 2 * rows)
            block.expand.forward(x: s.n3, rows: rows, parameters: p, out: s.hiddenPre, pool: pool)
            VectorGELU.forward(s.hiddenPre, hidden, count: f)
            block.contract.forward(x: hidden, rows: rows, parameters: p, out: branch, pool: pool)
            for i in 0..<n { next[i] = s.y2[i] + branch[i] }
        }
        let final = w + plan.final
        finalNorm.forward(x: y0 + blocks.count * n, rows: rows, parameters: p, out: final, mean: final + n, rstd: final + n + rows)
        output.forward(x: final, rows: rows, parameters: p, out: w + plan.logits, pool: pool)
        return w + plan.logits
    }

    // The logits in the workspace hold d(loss)/d(logits); parameter gradients accumulated; dMemory: [B, T, D] accumulated
    package func backward(ids: UnsafeBufferPointer<Int32>, batch: Int, steps: Int, memory: UnsafePointer<Float>, memorySteps: Int,
                          memoryLengths: [Int], parameters p: UnsafePointer<Float>, gradients g: UnsafeMutablePointer<Float>,
                          dMemory: UnsafeMutablePointer<Float>, plan: Plan, workspace w: UnsafeMutablePointer<Float>,
                          pool: ThreadPool? = nil) {
        let rows = plan.rows, n = plan.n, f = rows * feedForwardWidth
        let y0 = w + plan.residuals, final = w + plan.final
        let dResidual = w + plan.dResidual, dBranch = w + plan.dBranch, dTemp = w + plan.dTemp
        let hidden = w + plan.hidden, dHidden = w + plan.dHidden
        output.backward(x: final, dOut: w + plan.logits, rows: rows, parameters: p, gradients: g, dX: dBranch, pool: pool)
        finalNorm.backward(x: y0 + blocks.count * n, dOut: dBranch, rows: rows, mean: final + n, rstd: final + n + rows,
                           parameters: p, gradients: g, dX: dResidual)
        // dResidual is d(block output) on entry to each block and d(block input) on exit, accumulated in place.
        for (l, block) in blocks.enumerated().reversed() {
            let s = saved(w, plan, l, batch: batch, steps: steps), x = y0 + l * n
            VectorGELU.forward(s.hiddenPre, hidden, count: f)
            block.contract.backward(x: hidden, dOut: dResidual, rows: rows, parameters: p, gradients: g, dX: dHidden, pool: pool)
            VectorGELU.derivative(s.hiddenPre, multiplying: dHidden, count: f)
            block.expand.backward(x: s.n3, dOut: dHidden, rows: rows, parameters: p, gradients: g, dX: dBranch, pool: pool)
            block.norm3.backward(x: s.y2, dOut: dBranch, rows: rows, mean: s.mean + 2 * rows, rstd: s.rstd + 2 * rows,
                                 parameters: p, gradients: g, dX: dTemp)
            for i in 0..<n { dResidual[i] += dTemp[i] }
            block.cross.backward(x: s.n2, memory: memory, dOut: dResidual, batch: batch, steps: steps, memorySteps: memorySteps,
                                 memoryLengths: memoryLengths, parameters: p, saved: s.cross, gradients: g,
                                 scratch: w + plan.crossScratch, dX: dBranch, dMemory: dMemory, pool: pool)
            block.norm2.backward(x: s.y1, dOut: dBranch, rows: rows, mean: s.mean + rows, rstd: s.rstd + rows,
                                 parameters: p, gradients: g, dX: dTemp)
            for i in 0..<n { dResidual[i] += dTemp[i] }
            block.selfAttention.backward(x: s.n1, dOut: dResidual, batch: batch, steps: steps, parameters: p, buffers: s.causal,
                                         gradients: g, scratch: w + plan.causalScratch, dX: dBranch, pool: pool)
            block.norm1.backward(x: x, dOut: dBranch, rows: rows, mean: s.mean, rstd: s.rstd, parameters: p, gradients: g, dX: dTemp)
            for i in 0..<n { dResidual[i] += dTemp[i] }
        }
        embedding.backward(ids: ids, dOut: dResidual, gradients: g)
    }
}
