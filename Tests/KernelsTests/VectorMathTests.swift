import Foundation
import Kernels
import Testing

/// The vectorised exp against Double-precision `exp`, over the whole range softmax uses.
@Suite struct VectorMathTests {
    @Test func withinTwoUlpsOfDoubleExp() {
        var worstUlps: Float = 0
        var x: Float = -87
        while x < 88.3 {
            let got = VectorMath.exp(x)
            let expected = Float(Foundation.exp(Double(x)))
            worstUlps = max(worstUlps, abs(got - expected) / expected.ulp)
            x += 0.0137
        }
        #expect(worstUlps <= 2, "worst error \(worstUlps) ulp")
    }

    @Test func edgesUnderflowToZeroAndExactAtZero() {
        #expect(VectorMath.exp(0) == 1)
        #expect(VectorMath.exp(-100) == 0)
        #expect(VectorMath.exp(-Float.infinity) == 0)
        #expect(VectorMath.exp(100).isFinite)
    }

    @Test func exponentiateAndSumMatchesScalarLoop() {
        var values = (0..<37).map { Float($0) * 0.31 - 5 }
        let expected = values.reduce(0.0) { $0 + Foundation.exp(Double($1 - 2)) }
        let total = values.withUnsafeMutableBufferPointer { VectorMath.exponentiateAndSum($0.baseAddress!, count: 37, shift: 2) }
        #expect(abs(Double(total) - expected) / expected < 1e-6)
        #expect(abs(Double(values[3]) - Foundation.exp(Double(3 * 0.31 - 5 - 2))) < 1e-6)
    }
}
