import Foundation
import Kernels
import MurmurTestSupport
import Testing

/// Reductions, softmax, row gather / scatter-add and element-wise kernels against plain Double loops.
@Suite struct KernelOpsTests {
    @Test(arguments: [0, 1, 7, 15, 16, 17, 1000, 10_001])
    func reductionsMatchDoubleSums(count: Int) {
        var random = TestRandom(seed: UInt64(count))
        let x = random.floats(count), y = random.floats(count)
        let expectedSum = x.reduce(0.0) { $0 + Double($1) }
        let expectedDot = zip(x, y).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let expectedSquares = x.reduce(0.0) { $0 + Double($1) * Double($1) }
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                #expect(isClose(Double(Reductions.sum(xp)), expectedSum, rtol: 1e-4, atol: 1e-4))
                #expect(isClose(Double(Reductions.dot(xp, yp)), expectedDot, rtol: 1e-4, atol: 1e-4))
                #expect(isClose(Reductions.sumOfSquares(xp), expectedSquares, rtol: 1e-6, atol: 1e-6))
                #expect(Reductions.max(xp) == (x.max() ?? -.infinity))
            }
        }
    }

    @Test func softmaxRowsAreDistributionsAndLogSoftmaxAgrees() {
        var random = TestRandom(seed: 5)
        let rows = 3, columns = 37
        var logits = random.floats(rows * columns, -20, 20)
        logits[5] = 80  // large values must not overflow
        var probabilities = logits, logProbabilities = logits
        probabilities.withUnsafeMutableBufferPointer { Softmax.softmaxRows($0.baseAddress!, rows: rows, columns: columns) }
        logProbabilities.withUnsafeMutableBufferPointer {
            Softmax.logSoftmaxRows($0.baseAddress!, rows: rows, columns: columns)
        }
        for r in 0..<rows {
            let row = probabilities[(r * columns)..<((r + 1) * columns)]
            #expect(isClose(row.reduce(0.0) { $0 + Double($1) }, 1, rtol: 1e-5))
            for j in 0..<columns {
                let index = r * columns + j
                #expect(isClose(Double(expf(logProbabilities[index])), Double(probabilities[index]),
                                rtol: 1e-4, atol: 1e-30))
            }
        }
    }

    @Test func gatherAndScatterAddRows() {
        let table: [Float] = [0, 0, 1, 1, 2, 2, 3, 3]  // 4 rows of width 2
        let ids: [Int32] = [2, 0, 2, 3]
        var gathered = [Float](repeating: -1, count: 8)
        var gradient = [Float](repeating: 0, count: 8)
        table.withUnsafeBufferPointer { t in
            ids.withUnsafeBufferPointer { i in
                gathered.withUnsafeMutableBufferPointer { out in
                    RowOps.gatherRows(table: t.baseAddress!, tableRows: 4, width: 2, ids: i, into: out.baseAddress!)
                }
            }
        }
        #expect(gathered == [2, 2, 0, 0, 2, 2, 3, 3])
        let upstream: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        upstream.withUnsafeBufferPointer { u in
            ids.withUnsafeBufferPointer { i in
                gradient.withUnsafeMutableBufferPointer { g in
                    RowOps.scatterAddRows(u.baseAddress!, ids: i, width: 2, into: g.baseAddress!, tableRows: 4,
                                          skip: 0)
                }
            }
        }
        // id 2 appears twice (summed), id 0 is the padding id and is skipped.
        #expect(gradient == [0, 0, 0, 0, 6, 8, 7, 8])
    }

    @Test func elementwiseKernels() {
        var y: [Float] = [1, 2, 3]
        let x: [Float] = [1, 1, 2]
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { Elementwise.axpy(2, xp, $0) } }
        #expect(y == [3, 4, 7])
        y.withUnsafeMutableBufferPointer { Elementwise.scale($0, by: 0.5) }
        #expect(y == [1.5, 2, 3.5])
        // GELU's derivative against a central difference in Double precision of the Float function.
        for value: Float in [-3, -0.5, 0, 0.7, 2.5] {
            let h: Float = 1e-3
            let numeric = (Double(Elementwise.gelu(value + h)) - Double(Elementwise.gelu(value - h))) / Double(2 * h)
            #expect(isClose(Double(Elementwise.geluDerivative(value)), numeric, rtol: 1e-2, atol: 1e-3))
        }
    }

    @Test func tensorIsCopyOnWrite() {
        var a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = a
        a[flat: 0] = 10
        #expect(b[flat: 0] == 1 && a[flat: 0] == 10)
        #expect(a.reshaped([3, 2]).shape == [3, 2])
    }

    /// The fused cross-entropy gradient row, vectorised (AVX-512 where the CPU has it) and portable,
    /// against softmax in Double, on lengths around the 16-lane width and the vocabulary's.
    @Test(arguments: [1, 15, 16, 17, 100, 10_000])
    func crossEntropyGradientRowMatchesDouble(count: Int) {
        var random = TestRandom(seed: UInt64(count))
        let logits = random.floats(count, -20, 20)
        let target = count / 3, scale: Float = 0.125
        let maximum = logits.map(Double.init).max()!
        let total = logits.reduce(0.0) { $0 + Foundation.exp(Double($1) - maximum) }
        let expected = logits.enumerated().map { j, x in
            Double(scale) * (Foundation.exp(Double(x) - maximum) / total - (j == target ? 1 : 0))
        }
        for vectorised in [true, false] {
            var row = logits
            let probability = row.withUnsafeMutableBufferPointer {
                Softmax.crossEntropyGradientRow($0.baseAddress!, count: count, target: target, scale: scale,
                                                vectorised: vectorised)
            }
            let expectedProbability = expected[target] / Double(scale) + 1
            #expect(abs(Double(probability) - expectedProbability) <= 1e-5 * max(expectedProbability, 1e-30) + 1e-12)
            for j in 0..<count {
                #expect(abs(Double(row[j]) - expected[j]) <= 1e-5 * abs(expected[j]) + 1e-9, "lane \(j) vectorised \(vectorised)")
            }
        }
    }
}
