import Foundation

/// How a user's update is bounded before noise is added, which fixes the sensitivity the noise is
/// scaled to. Works on the update as a flat buffer plus the extents of its tensors.
package enum UpdateClipping: Sendable, Equatable, Codable {
    /// Scale the whole update to L2 norm ≤ `bound` (Abadi et al. 2016; McMahan et al. 2018).
    case flatL2(bound: Double)
    /// Scale each of the L tensors to L2 norm ≤ `bound`/√L, so the whole stays within `bound`
    /// (McMahan et al. 2018, §"per-layer clipping": the equal split). Large tensors are clipped as
    /// hard as small ones, which protects the small ones' signal.
    case perLayerL2(bound: Double)
    /// Scale each tensor h of d_h values to L2 norm ≤ `bound`·√(d_h / Σd), so a tensor's share of the
    /// budget follows its size and the whole stays within `bound` (Σ_h bound²·d_h/Σd = bound²): the `dim`
    /// rule of the FL4ASR companion (Pelikan et al. 2023, arXiv 2310.00098, §3.2), under which DP
    /// training of a transformer recogniser came close to non-private where global clipping did not.
    case perLayerDimensionL2(bound: Double)
    /// Scale the whole update to L1 norm ≤ `bound`: the sensitivity the Laplace mechanism needs.
    case flatL1(bound: Double)

    /// The bound on the clipped update's norm (L2 or L1 as the case says): the sensitivity.
    package var bound: Double {
        switch self {
        case let .flatL2(bound), let .perLayerL2(bound), let .perLayerDimensionL2(bound), let .flatL1(bound): return bound
        }
    }

    /// Clips `values` in place; `tensorRanges` partitions them into tensors (used per layer only).
    /// - Returns: the norm before clipping (the whole update's L2 or L1 norm).
    @discardableResult
    package func clip(_ values: UnsafeMutableBufferPointer<Float>, tensorRanges: [Range<Int>]) -> Double {
        switch self {
        case let .flatL2(bound):
            let norm = Self.l2Norm(values, values.indices)
            Self.scale(values, values.indices, by: norm > bound ? bound / norm : 1)
            return norm
        case let .perLayerL2(bound):
            let share = bound / Double(max(tensorRanges.count, 1)).squareRoot()
            var total = 0.0
            for range in tensorRanges {
                let norm = Self.l2Norm(values, range)
                total += norm * norm
                Self.scale(values, range, by: norm > share ? share / norm : 1)
            }
            return total.squareRoot()
        case let .perLayerDimensionL2(bound):
            let dimension = Double(max(tensorRanges.reduce(0) { $0 + $1.count }, 1))
            var total = 0.0
            for range in tensorRanges {
                let share = bound * (Double(range.count) / dimension).squareRoot()
                let norm = Self.l2Norm(values, range)
                total += norm * norm
                Self.scale(values, range, by: norm > share ? share / norm : 1)
            }
            return total.squareRoot()
        case let .flatL1(bound):
            var norm = 0.0
            for value in values { norm += Double(abs(value)) }
            Self.scale(values, values.indices, by: norm > bound ? bound / norm : 1)
            return norm
        }
    }

    /// L2 norm in double precision (a million float squares lose digits in single precision).
    private static func l2Norm(_ values: UnsafeMutableBufferPointer<Float>, _ range: Range<Int>) -> Double {
        var sum = 0.0
        for index in range { sum += Double(values[index]) * Double(values[index]) }
        return sum.squareRoot()
    }

    private static func scale(_ values: UnsafeMutableBufferPointer<Float>, _ range: Range<Int>, by factor: Double) {
        guard factor < 1 else { return }
        let f = Float(factor)
        for index in range { values[index] *= f }
    }
}
