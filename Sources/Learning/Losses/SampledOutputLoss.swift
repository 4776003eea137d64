import Foundation
import Kernels

/// The training loss over a language model's (tied) output layer: the exact softmax, or one of two
/// sampled estimates that never build the rows × vocabulary logits.
///
/// Both sampled losses score each row's target and `samples` noise words drawn once per batch from a
/// unigram noise distribution q and shared by all rows (Jozefowicz et al. 2016, §3.1), so the logits are
/// rows × samples and come from one GEMM. Logits are corrected by log(k·q(w)), the log of the expected
/// count of w among the k draws; a noise word equal to a row's target (an "accidental hit") is left out
/// of that row.
/// - `sampledSoftmax`: softmax cross-entropy over {target} ∪ noise with corrected logits (Jean et al.
///   2015; TensorFlow's `sampled_softmax_loss`). Its gradient is biased for small k, consistent as k → ∞.
/// - `noiseContrastive`: NCE (Gutmann & Hyvärinen 2010; Mnih & Teh 2012) with a fixed normaliser:
///   −log σ(z_t) − Σⱼ log(1 − σ(z_j)) with z_w = s_w − log V − log(k·q_w), i.e. the model's p(w) is
///   exp(s_w)/V. Mnih & Teh fix Z and learn output biases; our tied output has no bias, so Z = V (uniform
///   at the start, where scores are near 0) spares the embedding from having to learn a common offset.
/// Evaluation always uses the exact softmax, so perplexities stay comparable.
package enum OutputLoss: Sendable, Equatable, Codable {
    case softmax
    case sampledSoftmax(samples: Int)
    case noiseContrastive(samples: Int)

    /// Noise words a step scores (0 for the exact softmax).
    package var samples: Int {
        switch self {
        case .softmax: 0
        case let .sampledSoftmax(samples), let .noiseContrastive(samples): samples
        }
    }
}

/// The forward and backward pass of the sampled output losses over rows of projected hidden states.
package enum SampledOutputLoss {
    /// Scratch for up to `rows` rows and `samples` noise words, allocated once per batch shape.
    package final class Workspace {
        package let rows: Int, samples: Int, width: Int
        package let targetRows, noiseRows, logits, noiseGradient: AlignedBuffer
        package var noiseIDs: [Int32]
        package var targetGradient: [Float]

        package init(rows: Int, samples: Int, width: Int) {
            (self.rows, self.samples, self.width) = (rows, samples, width)
            targetRows = AlignedBuffer(count: rows * width)
            noiseRows = AlignedBuffer(count: samples * width)
            logits = AlignedBuffer(count: rows * samples)
            noiseGradient = AlignedBuffer(count: samples * width)
            noiseIDs = [Int32](repeating: 0, count: samples)
            targetGradient = [Float](repeating: 0, count: rows)
        }

        /// What `init` allocates, without allocating it.
        package static func bytes(rows: Int, samples: Int, width: Int) -> Int {
            4 * (rows * width + 2 * samples * width + rows * samples + samples + rows)
        }

        package var allocatedBytes: Int {
            4 * (targetRows.count + noiseRows.count + logits.count + noiseGradient.count + noiseIDs.count
                + targetGradient.count)
        }
    }

    /// Draws the batch's shared noise words into `workspace.noiseIDs`.
    package static func drawNoise(_ noise: UnigramDistribution, into workspace: Workspace, using stream: inout RandomStream) {
        for j in 0..<workspace.samples { workspace.noiseIDs[j] = noise.sample(using: &stream) }
    }

    /// The summed loss over `targets.count` rows; writes dLoss/dProjected (of the mean loss) into
    /// `dProjected` and adds dLoss/dTable into the target and noise rows of `dTable`.
    ///
    /// - Parameters:
    ///   - projected: rows × width, the hidden states the logits are dot products with.
    ///   - table: the output embedding, vocabulary × width.
    package static func lossAndGradient(
        _ loss: OutputLoss, projected: UnsafePointer<Float>, targets: UnsafeBufferPointer<Int32>,
        table: UnsafePointer<Float>, vocabularySize: Int, noise: UnigramDistribution, workspace w: Workspace,
        dProjected: UnsafeMutablePointer<Float>, dTable: UnsafeMutablePointer<Float>
    ) -> SoftmaxCrossEntropy.Result {
        let rows = targets.count, k = w.samples, e = w.width
        precondition(rows <= w.rows && k > 0 && loss.samples == k, "SampledOutputLoss: workspace shape")
        guard rows > 0 else { return .init(negativeLogLikelihood: 0, count: 0) }
        let nce = if case .noiseContrastive = loss { true } else { false }
        let (targetRows, noiseRows, logits) = (w.targetRows.pointer, w.noiseRows.pointer, w.logits.pointer)
        w.noiseIDs.withUnsafeBufferPointer { ids in
            RowOps.gatherRows(table: table, tableRows: vocabularySize, width: e, ids: ids, into: noiseRows)
        }
        RowOps.gatherRows(table: table, tableRows: vocabularySize, width: e, ids: targets, into: targetRows)
        gemm(transposeA: false, transposeB: true, m: rows, n: k, k: e, alpha: 1, a: projected, lda: e,
             b: noiseRows, ldb: e, beta: 0, c: logits, ldc: k)
        // NCE's fixed normaliser log V is folded into its correction; the sampled softmax is shift-invariant.
        let logNormaliser = nce ? log(Double(vocabularySize)) : 0
        let logExpected = { (id: Int32) in Float(log(Double(k) * noise.probabilities[Int(id)]) + logNormaliser) }
        let noiseCorrection = w.noiseIDs.map(logExpected)
        let scale = 1 / Float(rows)
        var total = 0.0
        for i in 0..<rows {
            let target = targets[i]
            let row = logits + i * k
            let trueLogit = Reductions.dot(UnsafeBufferPointer(start: projected + i * e, count: e),
                                           UnsafeBufferPointer(start: targetRows + i * e, count: e)) - logExpected(target)
            var trueGradient: Float
            if nce {
                total += Double(softplus(-trueLogit))
                trueGradient = Elementwise.sigmoid(trueLogit) - 1
                for j in 0..<k {
                    if w.noiseIDs[j] == target { row[j] = 0; continue }
                    let z = row[j] - noiseCorrection[j]
                    total += Double(softplus(z))
                    row[j] = Elementwise.sigmoid(z) * scale
                }
            } else {
                var largest = trueLogit
                for j in 0..<k where w.noiseIDs[j] != target {
                    row[j] -= noiseCorrection[j]
                    largest = max(largest, row[j])
                }
                var sum = expf(trueLogit - largest)
                for j in 0..<k where w.noiseIDs[j] != target { sum += expf(row[j] - largest) }
                let logSum = largest + logf(sum)
                total += Double(logSum - trueLogit)
                trueGradient = expf(trueLogit - logSum) - 1
                for j in 0..<k { row[j] = w.noiseIDs[j] == target ? 0 : expf(row[j] - logSum) * scale }
            }
            trueGradient *= scale
            w.targetGradient[i] = trueGradient
            // dProjected_i = g_t · E_t (the noise part is added by the GEMM below).
            let source = targetRows + i * e, destination = dProjected + i * e
            for c in 0..<e { destination[c] = trueGradient * source[c] }
        }
        gemm(transposeA: false, transposeB: false, m: rows, n: e, k: k, alpha: 1, a: logits, lda: k,
             b: noiseRows, ldb: e, beta: 1, c: dProjected, ldc: e)
        // dE_t += g_t · P_i, staged in targetRows (no longer needed) and scattered in row order.
        for i in 0..<rows {
            let source = projected + i * e, destination = targetRows + i * e, g = w.targetGradient[i]
            for c in 0..<e { destination[c] = g * source[c] }
        }
        RowOps.scatterAddRows(targetRows, ids: targets, width: e, into: dTable, tableRows: vocabularySize)
        gemm(transposeA: true, transposeB: false, m: k, n: e, k: rows, alpha: 1, a: logits, lda: k,
             b: projected, ldb: e, beta: 0, c: w.noiseGradient.pointer, ldc: e)
        w.noiseIDs.withUnsafeBufferPointer { ids in
            RowOps.scatterAddRows(w.noiseGradient.pointer, ids: ids, width: e, into: dTable, tableRows: vocabularySize)
        }
        return .init(negativeLogLikelihood: total, count: rows)
    }

    /// log(1 + eˣ), without overflow.
    private static func softplus(_ x: Float) -> Float { max(x, 0) + log1pf(expf(-abs(x))) }
}
