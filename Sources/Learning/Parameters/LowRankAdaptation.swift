import Foundation
import Kernels

/// Low-rank adapters (Hu et al. 2022, "LoRA", §4.1): each adapted weight W (out × in) is used as
/// W + (α/r)·B·A, with A (r × in) and B (out × r) trained and W frozen.
///
/// The layers are not changed: the effective weight is formed before a step and the layer's ordinary
/// dense gradient dW is projected onto the adapters afterwards, dA = s·Bᵀ·dW and dB = s·dW·Aᵀ (the
/// chain rule through W_eff = W + s·B·A). That costs out × in × r multiply-adds per matrix and step, small
/// beside the batch's own work, and keeps one hand-written backward per layer.
package struct LowRankAdaptation: Sendable, Equatable, Codable {
    package var rank: Int
    package var alpha: Float

    package init(rank: Int, alpha: Float) {
        precondition(rank >= 1 && alpha > 0, "LowRankAdaptation: rank ≥ 1 and alpha > 0")
        self.rank = rank
        self.alpha = alpha
    }

    /// s = α / r: LoRA's scaling, which keeps the update's size roughly independent of the rank.
    package var scale: Float { alpha / Float(rank) }

    /// One adapted matrix: its base weight's entry (in the model's layout) and its A and B entries.
    package struct Adapter: Sendable, Equatable, Codable {
        package let base: ParameterLayout.Entry
        package let a: ParameterLayout.Entry
        package let b: ParameterLayout.Entry
        var outputs: Int { base.shape[0] }
        var inputs: Int { base.shape[1] }
    }

    /// Appends "<name>.loraA" [r, in] and "<name>.loraB" [out, r] to `layout` for each matrix, in order.
    package func addAdapters(for matrices: [ParameterLayout.Entry], to layout: inout ParameterLayout) -> [Adapter] {
        matrices.map { matrix in
            precondition(matrix.shape.count == 2, "LowRankAdaptation: \(matrix.name) is not a matrix")
            let a = layout.add("\(matrix.name).loraA", shape: [rank, matrix.shape[1]])
            let b = layout.add("\(matrix.name).loraB", shape: [matrix.shape[0], rank])
            return Adapter(base: matrix, a: a, b: b)
        }
    }

    /// Fresh adapters in `values` (indexed by the adapters' entries): A ~ U(±1/√in), PEFT's default,
    /// and B = 0, so the adapted model starts equal to the base.
    package static func initialise(_ adapters: [Adapter], values: UnsafeMutableBufferPointer<Float>, seed: UInt64,
                                   keys: [UInt64]) {
        for (index, adapter) in adapters.enumerated() {
            var stream = RandomStream(seed: seed, keys: keys + [0x10FA, UInt64(index)])
            let bound = 1 / Float(adapter.inputs).squareRoot()
            stream.fillUniform(UnsafeMutableBufferPointer(rebasing: values[adapter.a.range]), low: -bound, high: bound)
            UnsafeMutableBufferPointer(rebasing: values[adapter.b.range]).update(repeating: 0)
        }
    }

    /// weight ← base + s·B·A for one adapter; `base` and `weight` point at the matrix, `adapterValues` at
    /// the buffer the adapter's entries index.
    package func formWeight(_ adapter: Adapter, base: UnsafePointer<Float>, adapterValues: UnsafePointer<Float>,
                            into weight: UnsafeMutablePointer<Float>) {
        weight.update(from: base, count: adapter.base.count)
        gemm(transposeA: false, transposeB: false, m: adapter.outputs, n: adapter.inputs, k: rank, alpha: scale,
             a: adapterValues + adapter.b.offset, lda: rank, b: adapterValues + adapter.a.offset, ldb: adapter.inputs,
             beta: 1, c: weight, ldc: adapter.inputs)
    }

    /// dA = s·Bᵀ·dW and dB = s·dW·Aᵀ from the dense gradient `weightGradient` of the effective weight;
    /// written (not added) into `adapterGradients` at the adapter's entries.
    package func projectGradient(_ adapter: Adapter, weightGradient: UnsafePointer<Float>,
                                 adapterValues: UnsafePointer<Float>, into adapterGradients: UnsafeMutablePointer<Float>) {
        let (o, i, r) = (adapter.outputs, adapter.inputs, rank)
        gemm(transposeA: true, transposeB: false, m: r, n: i, k: o, alpha: scale, a: adapterValues + adapter.b.offset,
             lda: r, b: weightGradient, ldb: i, beta: 0, c: adapterGradients + adapter.a.offset, ldc: i)
        gemm(transposeA: false, transposeB: true, m: o, n: r, k: i, alpha: scale, a: weightGradient, lda: i,
             b: adapterValues + adapter.a.offset, ldb: i, beta: 0, c: adapterGradients + adapter.b.offset, ldc: r)
    }

    /// Multiply-adds of forming the weights and projecting their gradients once (one training step).
    package func stepMultiplyAdds(_ adapters: [Adapter]) -> Double {
        adapters.reduce(0) { $0 + 3 * Double($1.base.count * rank) }
    }
}
