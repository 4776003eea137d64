import Foundation
import Kernels

/// Multi-head causal self-attention: softmax(QKᵀ/√d + causal mask)·V per head, then an output projection
/// (Vaswani et al. 2017). Q, K, V come from one fused [3D, D] projection; the attention itself runs as
/// direct loops per (batch, head, query), which is the cost that matters at the short sequence lengths of
/// on-device language models (llm.c's `attention_forward` / `attention_backward`).
package struct CausalSelfAttention: Sendable {
    package let width: Int
    package let heads: Int
    package let qkv: Linear
    package let output: Linear

    package init(width: Int, heads: Int, qkv: Linear, output: Linear) {
        precondition(width % heads == 0, "CausalSelfAttention: width \(width) not divisible by \(heads) heads")
        precondition(qkv.inputs == width && qkv.outputs == 3 * width, "CausalSelfAttention: qkv shape")
        precondition(output.inputs == width && output.outputs == width, "CausalSelfAttention: output shape")
        self.width = width
        self.heads = heads
        self.qkv = qkv
        self.output = output
    }

    /// What forward keeps for backward: qkv [B, T, 3D], probabilities [B, heads, T, T], mixed values [B, T, D].
    package struct Buffers {
        package let qkv: UnsafeMutablePointer<Float>
        package let probabilities: UnsafeMutablePointer<Float>
        package let mixed: UnsafeMutablePointer<Float>
        package init(qkv: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>,
                     mixed: UnsafeMutablePointer<Float>) {
            self.qkv = qkv
            self.probabilities = probabilities
            self.mixed = mixed
        }
        /// Floats needed for a batch of `batch` × `steps` at `width` with `heads` heads.
        package static func count(batch: Int, steps: Int, width: Int, heads: Int) -> Int {
            batch * steps * 4 * width + batch * heads * steps * steps
        }
    }

    // x: [B, T, D] → out: [B, T, D]
    package func forward(x: UnsafePointer<Float>, batch: Int, steps: Int, parameters: UnsafePointer<Float>,
                         buffers: Buffers, out: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) {
        let d = width, headSize = width / heads, rows = batch * steps
        let scale = 1 / Float(headSize).squareRoot()
        qkv.forward(x: x, rows: rows, parameters: parameters, out: buffers.qkv, pool: pool)
        for b in 0..<batch {
            for h in 0..<heads {
                for t in 0..<steps {
                    let query = buffers.qkv + (b * steps + t) * 3 * d + h * headSize
                    let probabilities = buffers.probabilities + ((b * heads + h) * steps + t) * steps
                    var largest = -Float.infinity
                    for t2 in 0...t {
                        let key = buffers.qkv + (b * steps + t2) * 3 * d + d + h * headSize
                        var score: Float = 0
                        for i in 0..<headSize { score += query[i] * key[i] }
                        probabilities[t2] = score * scale
                        largest = max(largest, probabilities[t2])
                    }
                    var total: Float = 0
                    for t2 in 0...t {
                        probabilities[t2] = expf(probabilities[t2] - largest)
                        total += probabilities[t2]
                    }
                    for t2 in 0..<steps { probabilities[t2] = t2 <= t ? probabilities[t2] / total : 0 }
                    let mixed = buffers.mixed + (b * steps + t) * d + h * headSize
                    mixed.update(repeating: 0, count: headSize)
                    for t2 in 0...t {
                        let value = buffers.qkv + (b * steps + t2) * 3 * d + 2 * d + h * headSize
                        for i in 0..<headSize { mixed[i] += probabilities[t2] * value[i] }
                    }
                }
            }
        }
        output.forward(x: buffers.mixed, rows: rows, parameters: parameters, out: out, pool: pool)
    }

    // x, dOut: [B, T, D]; gradients accumulated; dX overwritten. `scratch` holds [B, T, 4D] + [T] floats.
    package func backward(x: UnsafePointer<Float>, dOut: UnsafePointer<Float>, batch: Int, steps: Int,
                          parameters: UnsafePointer<Float>, buffers: Buffers, gradients: UnsafeMutablePointer<Float>,
                          scratch: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) {
        let d = width, headSize = width / heads, rows = batch * steps
        let scale = 1 / Float(headSize).squareRoot()
        let dMixed = scratch, dQKV = scratch + rows * d, dScores = scratch + rows * 4 * d
        output.backward(x: buffers.mixed, dOut: dOut, rows: rows, parameters: parameters, gradients: gradients,
                        dX: dMixed, pool: pool)
        dQKV.update(repeating: 0, count: rows * 3 * d)
        for b in 0..<batch {
            for h in 0..<heads {
                for t in 0..<steps {
                    let probabilities = buffers.probabilities + ((b * heads + h) * steps + t) * steps
                    let upstream = dMixed + (b * steps + t) * d + h * headSize
                    // dP[t2] = dy · v[t2]; dv[t2] += P[t2] dy
                    var weighted: Float = 0
                    for t2 in 0...t {
                        let value = buffers.qkv + (b * steps + t2) * 3 * d + 2 * d + h * headSize
                        let dValue = dQKV + (b * steps + t2) * 3 * d + 2 * d + h * headSize
                        var dp: Float = 0
                        for i in 0..<headSize {
                            dp += upstream[i] * value[i]
                            dValue[i] += probabilities[t2] * upstream[i]
                        }
                        dScores[t2] = dp
                        weighted += probabilities[t2] * dp
                    }
                    // softmax backward: dS = P ⊙ (dP − Σ P dP), then through the scaled dot product
                    let query = buffers.qkv + (b * steps + t) * 3 * d + h * headSize
                    let dQuery = dQKV + (b * steps + t) * 3 * d + h * headSize
                    for t2 in 0...t {
                        let dScore = probabilities[t2] * (dScores[t2] - weighted) * scale
                        let key = buffers.qkv + (b * steps + t2) * 3 * d + d + h * headSize
                        let dKey = dQKV + (b * steps + t2) * 3 * d + d + h * headSize
                        for i in 0..<headSize {
                            dQuery[i] += dScore * key[i]
                            dKey[i] += dScore * query[i]
                        }
                    }
                }
            }
        }
        qkv.backward(x: x, dOut: dQKV, rows: rows, parameters: parameters, gradients: gradients, dX: dX, pool: pool)
    }

    /// Floats of backward scratch for a batch of `batch` × `steps`.
    package static func scratchCount(batch: Int, steps: Int, width: Int) -> Int { batch * steps * 4 * width + steps }
}
