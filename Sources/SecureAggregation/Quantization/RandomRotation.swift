import Foundation
import Kernels

/// A random orthogonal rotation applied before quantisation: random signs, then a normalised
/// Walsh–Hadamard transform in blocks of B = 2^k (Suresh et al. 2017, "Distributed Mean Estimation
/// with Limited Communication", §4; Kairouz, Liu & Steinke 2021 use it for distributed DP).
///
/// It spreads an update's norm evenly over the coordinates of each block: with random signs, a rotated
/// coordinate of a vector of L2 norm ≤ C exceeds C·√(2 ln(2/β)/B) with probability at most β
/// (Hoeffding), against C for the raw coordinates. The ring's scale can then be about √B/6 times
/// finer, which is what lets a 16-bit ring carry an update accurately. The vector is zero-padded to
/// a whole number of blocks; the rotation is its own inverse up to the signs (H is symmetric and
/// orthonormal), and all clients of a round share it (the signs come from the round's public stream).
package struct RandomRotation: Sendable {
    /// Rotated coordinates beyond the bound are clamped; this is the chance per coordinate.
    package static let clampProbability = 1e-9
    package static let maximumBlockSize = 65_536

    package let dimension: Int
    package let blockSize: Int
    package let paddedDimension: Int
    private let signs: [Float]

    /// The length rotated vectors of `dimension` are padded to (a multiple of the block size).
    package static func paddedDimension(dimension: Int) -> Int {
        let block = blockSize(dimension: dimension)
        return (dimension + block - 1) / block * block
    }

    /// The rotation for vectors of `dimension`, its signs drawn from `stream` (public, per round).
    package init(dimension: Int, stream: inout RandomStream) {
        self.dimension = dimension
        blockSize = Self.blockSize(dimension: dimension)
        paddedDimension = Self.paddedDimension(dimension: dimension)
        var signs = [Float](repeating: 1, count: paddedDimension)
        var index = 0
        while index < paddedDimension {
            let word = stream.nextUInt32()
            for bit in 0..<min(32, paddedDimension - index) where word >> UInt32(bit) & 1 == 1 { signs[index + bit] = -1 }
            index += 32
        }
        self.signs = signs
    }

    /// The block size for a vector of `dimension`: the largest power of two up to 2^16 (a block then
    /// fits in L2) whose padding costs at most 2% more elements; failing that, the one that pads least.
    /// Larger blocks spread the norm further (the bound falls as 1/√B), padding costs bytes and masks.
    package static func blockSize(dimension: Int) -> Int {
        var largest = 1
        while largest < dimension && largest < maximumBlockSize { largest <<= 1 }
        func padded(_ size: Int) -> Int { (dimension + size - 1) / size * size }
        var best = largest, size = largest
        while size >= min(256, largest) {
            if Double(padded(size)) <= 1.02 * Double(dimension) { return size }
            if padded(size) < padded(best) { best = size }
            size >>= 1
        }
        return best
    }

    /// The bound a rotated coordinate of a vector of L2 norm ≤ `l2Bound` stays within, but with
    /// probability `clampProbability`.
    package static func coordinateBound(l2Bound: Double, dimension: Int) -> Double {
        l2Bound * (2 * log(2 / clampProbability) / Double(blockSize(dimension: dimension))).squareRoot()
    }

    /// y = H·D·x per block, x zero-padded; `rotated` has `paddedDimension` elements.
    package func rotate(_ values: UnsafeBufferPointer<Float>, into rotated: UnsafeMutableBufferPointer<Float>) {
        precondition(values.count == dimension && rotated.count == paddedDimension)
        signs.withUnsafeBufferPointer { signs in
            for index in 0..<dimension { rotated[index] = values[index] * signs[index] }
        }
        for index in dimension..<paddedDimension { rotated[index] = 0 }
        transformBlocks(rotated)
    }

    /// `rotate` in place: `vector` holds the `dimension` values followed by room for the padding
    /// (`paddedDimension` in all), and ends up holding H·D·x — the same bits as `rotate`.
    package func rotateInPlace(_ vector: UnsafeMutableBufferPointer<Float>) {
        precondition(vector.count == paddedDimension)
        signs.withUnsafeBufferPointer { signs in
            for index in 0..<dimension { vector[index] *= signs[index] }
        }
        for index in dimension..<paddedDimension { vector[index] = 0 }
        transformBlocks(vector)
    }

    /// x = D·H·y per block, dropping the padding: the inverse of `rotate`. Overwrites `rotated`.
    package func unrotate(_ rotated: UnsafeMutableBufferPointer<Float>, into values: UnsafeMutableBufferPointer<Float>) {
        precondition(values.count == dimension && rotated.count == paddedDimension)
        transformBlocks(rotated)
        signs.withUnsafeBufferPointer { signs in
            for index in 0..<dimension { values[index] = rotated[index] * signs[index] }
        }
    }

    private func transformBlocks(_ vector: UnsafeMutableBufferPointer<Float>) {
        var start = 0
        while start < paddedDimension {
            Self.hadamard(UnsafeMutableBufferPointer(rebasing: vector[start..<(start + blockSize)]))
            start += blockSize
        }
    }

    /// The normalised fast Walsh–Hadamard transform in place (n a power of two): log₂ n passes of
    /// butterflies; from stride 8 on the inner loop runs on SIMD8 vectors.
    static func hadamard(_ x: UnsafeMutableBufferPointer<Float>) {
        let n = x.count
        var h = 1
        if n >= 8 {
            // The first three stages (strides 1, 2, 4) as one 8-point transform per group, in registers.
            for group in stride(from: 0, to: n, by: 8) {
                let a0 = x[group] + x[group &+ 1], a1 = x[group] - x[group &+ 1]
                let a2 = x[group &+ 2] + x[group &+ 3], a3 = x[group &+ 2] - x[group &+ 3]
                let a4 = x[group &+ 4] + x[group &+ 5], a5 = x[group &+ 4] - x[group &+ 5]
                let a6 = x[group &+ 6] + x[group &+ 7], a7 = x[group &+ 6] - x[group &+ 7]
                let b0 = a0 + a2, b1 = a1 + a3, b2 = a0 - a2, b3 = a1 - a3
                let b4 = a4 + a6, b5 = a5 + a7, b6 = a4 - a6, b7 = a5 - a7
                x[group] = b0 + b4; x[group &+ 1] = b1 + b5; x[group &+ 2] = b2 + b6; x[group &+ 3] = b3 + b7
                x[group &+ 4] = b0 - b4; x[group &+ 5] = b1 - b5; x[group &+ 6] = b2 - b6; x[group &+ 7] = b3 - b7
            }
            h = 8
        }
        while h < min(8, n) {
            var i = 0
            while i < n {
                for j in i..<(i &+ h) {
                    let a = x[j], b = x[j &+ h]
                    x[j] = a + b
                    x[j &+ h] = a - b
                }
                i &+= 2 &* h
            }
            h &<<= 1
        }
        guard let base = x.baseAddress else { return }
        let raw = UnsafeMutableRawPointer(base)
        while h < n {
            var i = 0
            while i < n {
                var j = i
                while j < i &+ h {
                    let a = raw.loadUnaligned(fromByteOffset: j &* 4, as: SIMD8<Float>.self)
                    let b = raw.loadUnaligned(fromByteOffset: (j &+ h) &* 4, as: SIMD8<Float>.self)
                    raw.storeBytes(of: a + b, toByteOffset: j &* 4, as: SIMD8<Float>.self)
                    raw.storeBytes(of: a - b, toByteOffset: (j &+ h) &* 4, as: SIMD8<Float>.self)
                    j &+= 8
                }
                i &+= 2 &* h
            }
            h &<<= 1
        }
        let scale = 1 / Float(n).squareRoot()
        for index in 0..<n { x[index] *= scale }
    }
}
