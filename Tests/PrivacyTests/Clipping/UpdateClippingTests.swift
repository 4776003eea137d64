import Foundation
import Privacy
import Testing

@Suite struct UpdateClippingTests {
    static func norm(_ values: [Float], _ range: Range<Int>? = nil) -> Double {
        (range ?? values.indices).reduce(0.0) { $0 + Double(values[$1]) * Double(values[$1]) }.squareRoot()
    }

    @Test func flatL2ScalesLongUpdatesAndKeepsShortOnes() {
        var long: [Float] = [3, 4, 0, 0]  // norm 5
        let before = long.withUnsafeMutableBufferPointer { UpdateClipping.flatL2(bound: 1).clip($0, tensorRanges: [0..<4]) }
        #expect(before == 5 && abs(Self.norm(long) - 1) < 1e-6 && abs(long[0] / long[1] - 0.75) < 1e-6)
        var short: [Float] = [0.3, 0.4]
        short.withUnsafeMutableBufferPointer { _ = UpdateClipping.flatL2(bound: 1).clip($0, tensorRanges: [0..<2]) }
        #expect(short == [0.3, 0.4])
    }

    /// Each of L tensors ends within bound/√L, so the whole is within the bound.
    @Test func perLayerSplitsTheBoundEqually() {
        var values: [Float] = [10, 0, 0, 0.1, 0.1, 0.1]
        let ranges = [0..<3, 3..<6]
        values.withUnsafeMutableBufferPointer { _ = UpdateClipping.perLayerL2(bound: 2).clip($0, tensorRanges: ranges) }
        #expect(abs(Self.norm(values, 0..<3) - 2 / 2.0.squareRoot()) < 1e-6)
        #expect(abs(Self.norm(values, 3..<6) - Self.norm([0.1, 0.1, 0.1])) < 1e-7)  // already small: untouched
        #expect(Self.norm(values) <= 2 + 1e-6)
    }

    /// The `dim` rule: a tensor of d_h of the d values gets bound·√(d_h/d), so a large tensor keeps more
    /// of the budget than an equal split gives it, and the whole stays within the bound.
    @Test func perLayerDimensionSplitsTheBoundBySize() {
        var values: [Float] = [10, 0, 0, 0, 0, 0, 0, 0.01, 5]
        let ranges = [0..<8, 8..<9]  // 8 values and 1 value of 9
        values.withUnsafeMutableBufferPointer { _ = UpdateClipping.perLayerDimensionL2(bound: 3).clip($0, tensorRanges: ranges) }
        #expect(abs(Self.norm(values, 0..<8) - 3 * (8.0 / 9).squareRoot()) < 1e-5)
        #expect(abs(Self.norm(values, 8..<9) - 3 * (1.0 / 9).squareRoot()) < 1e-6)
        #expect(abs(Self.norm(values) - 3) < 1e-5)  // both clipped: the whole lands on the bound
    }

    @Test func flatL1BoundsTheAbsoluteSum() {
        var values: [Float] = [1, -2, 3, -4]
        values.withUnsafeMutableBufferPointer { _ = UpdateClipping.flatL1(bound: 5).clip($0, tensorRanges: [0..<4]) }
        #expect(abs(values.reduce(0) { $0 + Double(abs($1)) } - 5) < 1e-5)
    }

    /// The paper's accounting: a round with bit noise σ_b and update noise z_Δ costs one Gaussian of z.
    @Test func adaptiveClippingSplitsTheNoiseBudget() throws {
        let adaptive = AdaptiveClipping(initialBound: 0.1, countNoiseStandardDeviation: 5)
        let z = 1.0
        let update = try #require(adaptive.updateNoiseMultiplier(total: z))
        #expect(abs(1 / (update * update) + 1 / (4 * 25) - 1 / (z * z)) < 1e-12)
        #expect(AdaptiveClipping(initialBound: 0.1, countNoiseStandardDeviation: 0.4).updateNoiseMultiplier(total: 1) == nil)
        // All users within the bound (fraction 1 > γ = 0.5): the bound shrinks; none within: it grows.
        #expect(adaptive.nextBound(after: 1, noisyCountWithin: 100, expectedCohort: 100) < 1)
        #expect(adaptive.nextBound(after: 1, noisyCountWithin: 0, expectedCohort: 100) > 1)
    }
}
