import Foundation
import Kernels

/// Where a transformer block normalises: before each branch (pre-LN, x + f(LN x), the stable default of
/// GPT-2 and most speech encoders) or after each residual sum (post-LN, LN(x + f(x)), the original
/// transformer's; Xiong et al. 2020 compare the two). The FL4ASR paper studies both.
package enum NormPlacement: String, Sendable, Codable, CaseIterable {
    case preNorm, postNorm
}

/// One encoder block: non-causal self-attention and a GELU feed-forward network, each a residual branch
/// with dropout on its output (Vaswani et al. 2017; pre- or post-LN per `NormPlacement`).
///
/// pre-LN:  x₁ = x₀ + drop(attn(LN₁ x₀));  x₂ = x₁ + drop(FFN(LN₂ x₁))
/// post-LN: x₁ = LN₁(x₀ + drop(attn x₀));  x₂ = LN₂(x₁ + drop(FFN x₁))
///
/// Forward keeps per row (`savedCount`): the two normalised-or-summed tensors, x₁, the FFN
/// pre-activation, the norms' statistics and the attention's buffers — 7D + H + F + 4 floats, plus the
/// two dropout masks (2D) only when dropout is on (the caller keeps x₀ and x₂). The GELU output is
/// recomputed in backward from the pre-activation, and the branch outputs live in scratch.
package struct TransformerEncoderBlock: Sendable {
    package let width: Int
    package let feedForwardWidth: Int
    package let placement: NormPlacement
    /// Residual dropout on both branches' outputs; 0 keeps no masks.
    package let dropoutRate: Float
    package let norm1: LayerNorm
    package let attention: SelfAttention
    package let norm2: LayerNorm
    package let expand: Linear
    package let contract: Linear

    /// Adds a block's tensors under `prefix` ("encoder.block0") to `layout`.
    package init(adding layout: inout ParameterLayout, prefix: String, width d: Int, heads: Int, feedForwardWidth f: Int,
                 placement: NormPlacement, dropoutRate: Float = 0) {
        precondition(dropoutRate >= 0 && dropoutRate < 1, "TransformerEncoderBlock: dropout \(dropoutRate) outside [0, 1)")
        width = d
        self.dropoutRate = dropoutRate
        feedForwardWidth = f
        self.placement = placement
        func norm(_ name: String) -> LayerNorm {
            LayerNorm(width: d, gamma: layout.add("\(prefix).\(name).gamma", shape: [d]), beta: layout.add("\(prefix).\(name).beta", shape: [d]))
        }
        func linear(_ name: String, _ inputs: Int, _ outputs: Int) -> Linear {
            Linear(inputs: inputs, outputs: outputs, weight: layout.add("\(prefix).\(name).weight", shape: [outputs, inputs]),
                   bias: layout.add("\(prefix).\(name).bias", shape: [outputs]))
        }
        norm1 = norm("norm1")
        attention = SelfAttention.add(to: &layout, prefix: "\(prefix).attention", width: d, heads: heads)
        norm2 = norm("norm2")
        expand = linear("feedForward.expand", d, f)
        contract = linear("feedForward.contract", f, d)
    }

    /// The weight matrices low-rank adapters may attach to.
    package var adaptableMatrices: [ParameterLayout.Entry] {
        [attention.qkv.weight, attention.output.weight, expand.weight, contract.weight]
    }

    /// Floats forward keeps for backward, for `batch` × `steps` rows.
    package func savedCount(batch: Int, steps: Int) -> Int {
        let rows = batch * steps
        return rows * ((dropoutRate > 0 ? 5 : 3) * width + 4 + feedForwardWidth) + SelfAttention.Buffers.count(batch: batch, steps: steps, width: width,
                                                                                        heads: attention.heads)
    }

    /// Floats of scratch backward needs (forward uses the attention part), `slots` attention slots.
    package func scratchCount(batch: Int, steps: Int, slots: Int) -> Int {
        let rows = batch * steps
        return rows * (3 * width + 2 * feedForwardWidth)
            + SelfAttention.scratchCount(batch: batch, steps: steps, width: width, slots: slots)
    }

    /// Multiply-adds of one forward pass (backward is twice this).
    package func forwardFLOPs(batch: Int, steps: Int) -> Double {
        attention.forwardFLOPs(batch: batch, steps: steps) + Double(batch * steps) * 2 * Double(width * feedForwardWidth)
    }

    /// The saved tensors of one forward pass, carved from one region of `savedCount` floats.
    private struct Saved {
        let first, middle, second, hiddenPre, mean, rstd: UnsafeMutablePointer<Float>
        let mask1, mask2: UnsafeMutablePointer<Float>?
        let attention: SelfAttention.Buffers
        init(_ base: UnsafeMutablePointer<Float>, rows: Int, block: TransformerEncoderBlock, batch: Int, steps: Int) {
            let n = rows * block.width
            first = base; middle = base + n; second = base + 2 * n
            hiddenPre = base + 3 * n
            mean = hiddenPre + rows * block.feedForwardWidth
            rstd = mean + 2 * rows
            let attentionBase = rstd + 2 * rows
            attention = SelfAttention.Buffers(base: attentionBase, batch: batch, steps: steps, width: block.width)
            let masks = attentionBase + SelfAttention.Buffers.count(batch: batch, steps: steps, width: block.width,
                                                                    heads: block.attention.heads)
            mask1 = block.dropoutRate > 0 ? masks : nil
            mask2 = block.dropoutRate > 0 ? masks + n : nil
        }
    }

    // x: [B, T, D] (kept by the caller until backward) → out: [B, T, D] (x₂, also the caller's);
    // saved: [savedCount]; scratch: [scratchCount]; dropout: nil or rate 0 = off
    package func forward(x: UnsafePointer<Float>, batch: Int, steps: Int, lengths: [Int], parameters p: UnsafePointer<Float>,
                         saved: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                         dropout: inout RandomStream?, pool: ThreadPool? = nil) {
        let rows = batch * steps, n = rows * width, s = Saved(saved, rows: rows, block: self, batch: batch, steps: steps)
        let hidden = scratch  // GELU output, only needed until `contract` has run
        let branch = scratch + 2 * rows * feedForwardWidth  // each branch's output, until it is added
        let attentionScratch = scratch + rows * (3 * width + 2 * feedForwardWidth)
        // Attention branch.
        let attentionInput: UnsafePointer<Float>
        if placement == .preNorm {
            norm1.forward(x: x, rows: rows, parameters: p, out: s.first, mean: s.mean, rstd: s.rstd)
            attentionInput = UnsafePointer(s.first)
        } else {
            attentionInput = x
        }
        attention.forward(x: attentionInput, batch: batch, steps: steps, lengths: lengths, parameters: p, buffers: s.attention,
                          out: branch, scratch: attentionScratch, pool: pool)
        drop(branch, mask: s.mask1, count: n, stream: &dropout)
        if placement == .preNorm {
            for i in 0..<n { s.middle[i] = x[i] + branch[i] }
        } else {
            for i in 0..<n { s.first[i] = x[i] + branch[i] }
            norm1.forward(x: s.first, rows: rows, parameters: p, out: s.middle, mean: s.mean, rstd: s.rstd)
        }
        // Feed-forward branch.
        let ffnInput: UnsafePointer<Float>
        if placement == .preNorm {
            norm2.forward(x: s.middle, rows: rows, parameters: p, out: s.second, mean: s.mean + rows, rstd: s.rstd + rows)
            ffnInput = UnsafePointer(s.second)
        } else {
            ffnInput = UnsafePointer(s.middle)
        }
        expand.forward(x: ffnInput, rows: rows, parameters: p, out: s.hiddenPre, pool: pool)
        VectorGELU.forward(s.hiddenPre, hidden, count: rows * feedForwardWidth)
        contract.forward(x: hidden, rows: rows, parameters: p, out: branch, pool: pool)
        drop(branch, mask: s.mask2, count: n, stream: &dropout)
        if placement == .preNorm {
            for i in 0..<n { out[i] = s.middle[i] + branch[i] }
        } else {
            for i in 0..<n { s.second[i] = s.middle[i] + branch[i] }
            norm2.forward(x: s.second, rows: rows, parameters: p, out: out, mean: s.mean + rows, rstd: s.rstd + rows)
        }
    }

    // x: the forward's input; dOut: [B, T, D]; parameter gradients accumulated; dX overwritten (may not alias dOut)
    package func backward(x: UnsafePointer<Float>, dOut: UnsafePointer<Float>, batch: Int, steps: Int, lengths: [Int],
                          parameters p: UnsafePointer<Float>, saved: UnsafeMutablePointer<Float>, gradients g: UnsafeMutablePointer<Float>,
                          scratch: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) {
        let rows = batch * steps, n = rows * width, f = rows * feedForwardWidth
        let s = Saved(saved, rows: rows, block: self, batch: batch, steps: steps)
        let hidden = scratch, dHidden = scratch + f, dMiddle = scratch + 2 * f, dBranch = dMiddle + n, dTemp = dBranch + n
        let attentionScratch = scratch + rows * (3 * width + 2 * feedForwardWidth)
        // Feed-forward branch: dMiddle = d x₁ when it is done.
        let dSum: UnsafePointer<Float>  // gradient at the FFN residual sum
        if placement == .preNorm {
            dSum = dOut
        } else {
            norm2.backward(x: s.second, dOut: dOut, rows: rows, mean: s.mean + rows, rstd: s.rstd + rows, parameters: p,
                           gradients: g, dX: dMiddle)
            dSum = UnsafePointer(dMiddle)
        }
        undrop(dSum, mask: s.mask2, count: n, into: dBranch)
        VectorGELU.forward(s.hiddenPre, hidden, count: f)
        contract.backward(x: hidden, dOut: dBranch, rows: rows, parameters: p, gradients: g, dX: dHidden, pool: pool)
        VectorGELU.derivative(s.hiddenPre, multiplying: dHidden, count: f)
        if placement == .preNorm {
            expand.backward(x: s.second, dOut: dHidden, rows: rows, parameters: p, gradients: g, dX: dBranch, pool: pool)
            norm2.backward(x: s.middle, dOut: dBranch, rows: rows, mean: s.mean + rows, rstd: s.rstd + rows, parameters: p,
                           gradients: g, dX: dTemp)
            for i in 0..<n { dMiddle[i] = dOut[i] + dTemp[i] }
        } else {
            expand.backward(x: s.middle, dOut: dHidden, rows: rows, parameters: p, gradients: g, dX: dTemp, pool: pool)
            for i in 0..<n { dMiddle[i] += dTemp[i] }
        }
        // Attention branch.
        if placement == .preNorm {
            undrop(dMiddle, mask: s.mask1, count: n, into: dBranch)
            attention.backward(x: s.first, dOut: dBranch, batch: batch, steps: steps, lengths: lengths, parameters: p,
                               buffers: s.attention, gradients: g, scratch: attentionScratch, dX: dTemp, pool: pool)
            norm1.backward(x: x, dOut: dTemp, rows: rows, mean: s.mean, rstd: s.rstd, parameters: p, gradients: g, dX: dX)
            for i in 0..<n { dX[i] += dMiddle[i] }
        } else {
            norm1.backward(x: s.first, dOut: dMiddle, rows: rows, mean: s.mean, rstd: s.rstd, parameters: p, gradients: g,
                           dX: dTemp)  // d(x₀ + branch)
            undrop(dTemp, mask: s.mask1, count: n, into: dBranch)
            attention.backward(x: x, dOut: dBranch, batch: batch, steps: steps, lengths: lengths, parameters: p,
                               buffers: s.attention, gradients: g, scratch: attentionScratch, dX: dX, pool: pool)
            for i in 0..<n { dX[i] += dTemp[i] }
        }
    }

    /// Applies dropout to a branch in place and keeps its mask (nothing without dropout or a stream).
    private func drop(_ branch: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>?, count: Int,
                      stream: inout RandomStream?) {
        guard let mask else { return }
        if stream != nil {
            Dropout.forward(x: branch, count: count, rate: dropoutRate, stream: &stream!, mask: mask, out: branch)
        } else {
            mask.update(repeating: 1, count: count)  // evaluation: dropout off
        }
    }

    /// The branch gradient through the dropout mask (a copy without dropout).
    private func undrop(_ dOut: UnsafePointer<Float>, mask: UnsafeMutablePointer<Float>?, count: Int,
                        into dBranch: UnsafeMutablePointer<Float>) {
        if let mask { Dropout.backward(dOut: dOut, mask: mask, count: count, dX: dBranch) } else { dBranch.update(from: dOut, count: count) }
    }
}
