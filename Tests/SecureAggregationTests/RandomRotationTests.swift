import Kernels
import MurmurTestSupport
import SecureAggregation
import Testing

@Suite struct RandomRotationTests {
    /// Rotation preserves the norm, and unrotating gives the vector back, for awkward dimensions.
    @Test(arguments: [1, 5, 8, 100, 4_097, 70_000])
    func rotationIsOrthogonalAndInvertible(dimension: Int) {
        var stream = RandomStream(seed: 3, keys: [UInt64(dimension)])
        let rotation = RandomRotation(dimension: dimension, stream: &stream)
        var random = TestRandom(seed: UInt64(dimension))
        let values = random.floats(dimension)
        var rotated = [Float](repeating: 0, count: rotation.paddedDimension), back = [Float](repeating: 0, count: dimension)
        values.withUnsafeBufferPointer { values in rotated.withUnsafeMutableBufferPointer { rotation.rotate(values, into: $0) } }
        let norm = values.reduce(0.0) { $0 + Double($1 * $1) }, rotatedNorm = rotated.reduce(0.0) { $0 + Double($1 * $1) }
        #expect(isClose(rotatedNorm, norm, rtol: 1e-5))
        rotated.withUnsafeMutableBufferPointer { rotated in back.withUnsafeMutableBufferPointer { rotation.unrotate(rotated, into: $0) } }
        #expect(worstCloseness(back, values, rtol: 1e-5, atol: 1e-6) <= 1)
    }

    /// Blocks are as large as the padding allows: 2^16 for the stackoverflow-shape model (1.2% padding),
    /// 2^13 for the quickstart's 171,072 parameters (0.6%), where 2^16 would pad 15%.
    @Test func blockSizeTradesSpreadAgainstPadding() {
        #expect(RandomRotation.blockSize(dimension: 1_360_206) == 65_536)
        #expect(RandomRotation.blockSize(dimension: 171_072) == 8_192)
        #expect(RandomRotation.blockSize(dimension: 4_096) == 4_096)
        #expect(RandomRotation.blockSize(dimension: 5) == 8)
    }

    /// A vector with all its norm on one coordinate is spread evenly: every rotated coordinate is
    /// within the stated bound (here it is exactly C/√B).
    @Test func normIsSpreadWithinTheBound() {
        var stream = RandomStream(seed: 9)
        let dimension = 200_000
        let rotation = RandomRotation(dimension: dimension, stream: &stream)
        var spike = [Float](repeating: 0, count: dimension)
        spike[12_345] = 1
        var rotated = [Float](repeating: 0, count: rotation.paddedDimension)
        spike.withUnsafeBufferPointer { spike in rotated.withUnsafeMutableBufferPointer { rotation.rotate(spike, into: $0) } }
        let bound = RandomRotation.coordinateBound(l2Bound: 1, dimension: dimension)
        #expect(rotation.blockSize == 4_096 && rotation.paddedDimension == 200_704)  // 2^13 would pad 2.4%
        #expect(rotated.allSatisfy { Double(abs($0)) <= bound })
        #expect(rotated.map { abs($0) }.max()! < 0.0157)  // 1/√4096 = 0.0156
    }
}
