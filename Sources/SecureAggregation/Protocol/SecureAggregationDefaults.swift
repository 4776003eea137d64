/// Default sizes for SecAgg+'s graph and the reconstruction threshold.
///
/// Bell et al. 2020 (Thm 3.6) show that k = O(log n) neighbours keep both privacy and correctness
/// with high probability; the constant is a choice. We take k = 3⌈log₂ n⌉ rounded up to even (22 for
/// n = 100, 28 for n = 400), and a threshold of a strict majority of each neighbourhood, which
/// tolerates just under half of a client's neighbours dropping. A scenario may set both.
package enum SecureAggregationDefaults {
    /// k for a cohort of n: 3⌈log₂ n⌉, rounded up to even, at most n − 1.
    package static func neighbours(clientCount n: Int) -> Int {
        guard n > 2 else { return max(n - 1, 0) }
        let ceilingLog2 = Int.bitWidth - (n - 1).leadingZeroBitCount
        let k = 3 * ceilingLog2
        return min(k + k % 2, n - 1)
    }

    /// The shares needed out of a neighbourhood of `degree`: ⌊fraction · degree⌋ + 1 (a strict
    /// majority at the default 0.5), at least 1 and at most `degree`.
    package static func threshold(degree: Int, fraction: Double = 0.5) -> Int {
        min(max(Int((fraction * Double(degree)).rounded(.down)) + 1, 1), max(degree, 1))
    }
}
