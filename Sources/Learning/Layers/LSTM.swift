import Foundation
import Kernels

/// A single-layer LSTM with fused gates (order i, f, g, o as PyTorch), time-major, zero initial state.
///
/// The input projection for all time steps is one GEMM (`x W_ihᵀ + b`, [T·B, 4H]); only the recurrent
/// product `h_{t-1} W_hhᵀ` runs per step. Backward runs through time keeping the pre-activation gate
/// gradients of every step, then forms dW_ih, dW_hh and dx with three large GEMMs (Hochreiter &
/// Schmidhuber 1997; the fused form of cuDNN / llm.c-style hand-written backprop).
///
/// The gate bias is one tensor, or two as `torch.nn.LSTM` keeps them (`bias_ih_l0`, `bias_hh_l0`): forward
/// adds both and backward gives both the same gradient, so the function is the same but a first-order
/// optimizer moves their sum twice as fast as it moves one bias (PyTorch, `torch.nn.LSTM` docs).
package struct LSTM: Sendable {
    package let inputSize: Int
    package let hiddenSize: Int
    package let inputWeight: ParameterLayout.Entry  // [4H, I]
    package let recurrentWeight: ParameterLayout.Entry  // [4H, H]
    package let bias: ParameterLayout.Entry  // [4H]
    /// The second gate bias (PyTorch's `bias_hh_l0`), when the layer keeps two.
    package let recurrentBias: ParameterLayout.Entry?  // [4H]

    /// A layer over the given tensors of a parameter layout.
    /// - Parameter recurrentBias: a second [4H] bias trained apart from `bias` (torch.nn.LSTM's pair), or nil
    ///   for one bias.
    package init(inputSize: Int, hiddenSize: Int, inputWeight: ParameterLayout.Entry,
                 recurrentWeight: ParameterLayout.Entry, bias: ParameterLayout.Entry,
                 recurrentBias: ParameterLayout.Entry? = nil) {
        precondition(inputWeight.shape == [4 * hiddenSize, inputSize], "LSTM: input weight shape")
        precondition(recurrentWeight.shape == [4 * hiddenSize, hiddenSize], "LSTM: recurrent weight shape")
        precondition(bias.count == 4 * hiddenSize, "LSTM: bias size")
        precondition(recurrentBias.map { $0.count == 4 * hiddenSize } ?? true, "LSTM: recurrent bias size")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.inputWeight = inputWeight
        self.recurrentWeight = recurrentWeight
        self.bias = bias
        self.recurrentBias = recurrentBias
    }

    /// What forward keeps for backward, allocated once for a capacity of steps × batch.
    package final class Activations {
        package let capacity: Int
        let gates: AlignedBuffer  // [T·B, 4H] activated i, f, g, o; reused as gate gradients in backward
        let cells: AlignedBuffer  // [T·B, H] c_t
        let tanhCells: AlignedBuffer  // [T·B, H] tanh(c_t)
        let carry: AlignedBuffer  // [2, B, H] dh and dc flowing back in time
        /// W_hhᵀ packed into GEMM panels once per forward and read by every step's product (packing the
        /// 4H × H weight for each step's few rows cost as much as the product).
        let packedRecurrentWeight: AlignedBuffer

        package init(capacity: Int, batch: Int, hiddenSize: Int) {
            self.capacity = capacity
            gates = AlignedBuffer(count: capacity * 4 * hiddenSize)
            cells = AlignedBuffer(count: capacity * hiddenSize)
            tanhCells = AlignedBuffer(count: capacity * hiddenSize)
            carry = AlignedBuffer(count: 2 * batch * hiddenSize)
            packedRecurrentWeight = AlignedBuffer(count: gemmPackedBCount(k: hiddenSize, n: 4 * hiddenSize))
        }

        /// The scalars `init` allocates for these sizes.
        package static func scalarCount(capacity: Int, batch: Int, hiddenSize: Int) -> Int {
            capacity * 6 * hiddenSize + 2 * batch * hiddenSize + gemmPackedBCount(k: hiddenSize, n: 4 * hiddenSize)
        }

        /// The scalars this instance holds, counted from its buffers.
        package var allocatedScalars: Int {
            gates.count + cells.count + tanhCells.count + carry.count + packedRecurrentWeight.count
        }
    }

    // x: [T, B, I], h (out): [T, B, H]
    package func forward(x: UnsafePointer<Float>, steps: Int, batch: Int, parameters: UnsafePointer<Float>,
                         activations: Activations, h: UnsafeMutablePointer<Float>, pool: ThreadPool? = nil) {
        precondition(steps * batch <= activations.capacity, "LSTM: activations too small")
        let hidden = hiddenSize, gateWidth = 4 * hiddenSize, rows = steps * batch
        let gates = activations.gates.pointer, cells = activations.cells.pointer
        let tanhCells = activations.tanhCells.pointer
        gemm(transposeA: false, transposeB: true, m: rows, n: gateWidth, k: inputSize, alpha: 1,
             a: x, lda: inputSize, b: parameters + inputWeight.offset, ldb: inputSize,
             beta: 0, c: gates, ldc: gateWidth, pool: pool)
        Elementwise.addRowBias(parameters + bias.offset, to: gates, rows: rows, columns: gateWidth)
        if let recurrentBias {  // (x W_ihᵀ + b_ih) + b_hh: with b_hh = 0 the one-bias layer's gates, bit for bit
            Elementwise.addRowBias(parameters + recurrentBias.offset, to: gates, rows: rows, columns: gateWidth)
        }
        let packedRecurrent = activations.packedRecurrentWeight.pointer
        if steps > 1 {
            gemmPackB(transposeB: true, k: hidden, n: gateWidth, b: parameters + recurrentWeight.offset, ldb: hidden,
                      into: packedRecurrent)
        }
        for t in 0..<steps {
            let stepGates = gates + t * batch * gateWidth
            if t > 0 {
                gemm(transposeA: false, m: batch, n: gateWidth, k: hidden, alpha: 1,
                     a: h + (t - 1) * batch * hidden, lda: hidden, packedB: packedRecurrent,
                     beta: 1, c: stepGates, ldc: gateWidth, pool: pool)
            }
            for b in 0..<batch {
                let row = t * batch + b
                let previousCell: UnsafePointer<Float>? = t > 0 ? UnsafePointer(cells + (row - batch) * hidden) : nil
                activateGates(stepGates + b * gateWidth, previousCell: previousCell, cell: cells + row * hidden,
                              tanhCell: tanhCells + row * hidden, h: h + row * hidden)
            }
        }
    }

    // One row of gates [i f g o] (pre-activations, overwritten by activations) → c_t, tanh(c_t), h_t.
    // Eight lanes at a time with VectorMath's sigmoid and tanh; the tail goes through the same lane code.
    private func activateGates(_ g: UnsafeMutablePointer<Float>, previousCell: UnsafePointer<Float>?,
                               cell: UnsafeMutablePointer<Float>, tanhCell: UnsafeMutablePointer<Float>,
                               h: UnsafeMutablePointer<Float>) {
        let hidden = hiddenSize
        func load(_ p: UnsafePointer<Float>, _ j: Int, _ lanes: Int) -> SIMD8<Float> {
            if lanes == 8 { return UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<Float>.self) }
            var v = SIMD8<Float>()
            for lane in 0..<lanes { v[lane] = p[j + lane] }
            return v
        }
        func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ j: Int, _ lanes: Int) {
            if lanes == 8 { UnsafeMutableRawPointer(p + j).storeBytes(of: v, as: SIMD8<Float>.self); return }
            for lane in 0..<lanes { p[j + lane] = v[lane] }
        }
        var j = 0
        while j < hidden {
            let lanes = min(8, hidden - j)
            let input = VectorMath.sigmoid(load(g, j, lanes)), forget = VectorMath.sigmoid(load(g + hidden, j, lanes))
            let candidate = VectorMath.tanh(load(g + 2 * hidden, j, lanes))
            let output = VectorMath.sigmoid(load(g + 3 * hidden, j, lanes))
            store(input, g, j, lanes)
            store(forget, g + hidden, j, lanes)
            store(candidate, g + 2 * hidden, j, lanes)
            store(output, g + 3 * hidden, j, lanes)
            var c = input * candidate
            if let previousCell { c += forget * load(previousCell, j, lanes) }
            let tc = VectorMath.tanh(c)
            store(c, cell, j, lanes)
            store(tc, tanhCell, j, lanes)
            store(output * tc, h, j, lanes)
            j += lanes
        }
    }

    // x: [T, B, I], h: [T, B, H] (forward's output), dH: [T, B, H] → gradients += ..., dX: [T, B, I] overwritten
    package func backward(x: UnsafePointer<Float>, h: UnsafePointer<Float>, dH: UnsafePointer<Float>,
                          steps: Int, batch: Int, parameters: UnsafePointer<Float>, activations: Activations,
                          gradients: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>?,
                          pool: ThreadPool? = nil) {
        let hidden = hiddenSize, gateWidth = 4 * hiddenSize, rows = steps * batch
        let gates = activations.gates.pointer, cells = activations.cells.pointer
        let tanhCells = activations.tanhCells.pointer
        let dhNext = activations.carry.pointer, dcNext = activations.carry.pointer + batch * hidden
        dhNext.update(repeating: 0, count: 2 * batch * hidden)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let stepGates = gates + t * batch * gateWidth
            for b in 0..<batch {
                let g = stepGates + b * gateWidth
                let row = t * batch + b
                let tanhCell = tanhCells + row * hidden, upstream = dH + row * hidden
                let dh = dhNext + b * hidden, dc = dcNext + b * hidden
                let previousCell: UnsafeMutablePointer<Float>? = t > 0 ? cells + (row - batch) * hidden : nil
                for j in 0..<hidden {
                    let input = g[j], forget = g[hidden + j], candidate = g[2 * hidden + j], output = g[3 * hidden + j]
                    let dhTotal = upstream[j] + dh[j]
                    let tc = tanhCell[j]
                    let dOutput = dhTotal * tc
                    let dCell = dc[j] + dhTotal * output * (1 - tc * tc)
                    let dInput = dCell * candidate, dCandidate = dCell * input
                    let dForget = dCell * (previousCell?[j] ?? 0)
                    dc[j] = dCell * forget
                    // Overwrite the activated gates with pre-activation gradients (σ' = s(1−s), tanh' = 1−t²).
                    g[j] = dInput * input * (1 - input)
                    g[hidden + j] = dForget * forget * (1 - forget)
                    g[2 * hidden + j] = dCandidate * (1 - candidate * candidate)
                    g[3 * hidden + j] = dOutput * output * (1 - output)
                }
            }
            if t > 0 {
                gemm(transposeA: false, transposeB: false, m: batch, n: hidden, k: gateWidth, alpha: 1,
                     a: stepGates, lda: gateWidth, b: parameters + recurrentWeight.offset, ldb: hidden,
                     beta: 0, c: dhNext, ldc: hidden, pool: pool)
            }
        }
        // dW_hh += Σ_{t≥1} dGates_tᵀ h_{t-1}: one GEMM over the shifted sequences.
        if steps > 1 {
            gemm(transposeA: true, transposeB: false, m: gateWidth, n: hidden, k: (steps - 1) * batch, alpha: 1,
                 a: gates + batch * gateWidth, lda: gateWidth, b: h, ldb: hidden,
                 beta: 1, c: gradients + recurrentWeight.offset, ldc: hidden, pool: pool)
        }
        gemm(transposeA: true, transposeB: false, m: gateWidth, n: inputSize, k: rows, alpha: 1,
             a: gates, lda: gateWidth, b: x, ldb: inputSize,
             beta: 1, c: gradients + inputWeight.offset, ldc: inputSize, pool: pool)
        Elementwise.accumulateColumnSums(gates, rows: rows, columns: gateWidth, into: gradients + bias.offset)
        if let recurrentBias {  // both biases are only added, so both get the gate gradients' column sums
            Elementwise.accumulateColumnSums(gates, rows: rows, columns: gateWidth, into: gradients + recurrentBias.offset)
        }
        if let dX {
            gemm(transposeA: false, transposeB: false, m: rows, n: inputSize, k: gateWidth, alpha: 1,
                 a: gates, lda: gateWidth, b: parameters + inputWeight.offset, ldb: inputSize,
                 beta: 0, c: dX, ldc: inputSize, pool: pool)
        }
    }
}
