import Kernels

/// Which canaries a run includes: one fair coin per canary, keyed by (seed, canary index), so a canary's
/// coin is the same whatever the number of canaries, the thread or a resume (Steinke, Nasr, Jagielski
/// 2023, §3: the m inclusions must be independent and uniform for Theorem 3.1 to hold).
///
/// The seed is the audit's own, not the training seed: training randomness never sees the coins, and
/// the auditor reads them only after training, to score its guesses.
package struct CanaryCoins: Sendable, Equatable {
    package let seed: UInt64
    package let count: Int

    package init(seed: UInt64, count: Int) {
        precondition(count >= 0, "CanaryCoins: count ≥ 0")
        self.seed = seed
        self.count = count
    }

    /// Stream purpose for the coins (distinct from every other stream keyed by the audit seed).
    static let purpose: UInt64 = 0xC0_1A5

    /// Whether canary `index` is included: the low bit of its own stream's first draw.
    package func isIncluded(_ index: Int) -> Bool {
        precondition(index >= 0 && index < count, "CanaryCoins: canary \(index) out of 0..<\(count)")
        var stream = RandomStream(seed: seed, keys: [Self.purpose, UInt64(index)])
        return stream.nextUInt32() & 1 == 1
    }

    /// Every canary's coin, in index order.
    package var all: [Bool] { (0..<count).map(isIncluded) }
}
