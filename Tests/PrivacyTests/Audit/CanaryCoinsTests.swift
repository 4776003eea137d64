import Privacy
import Testing

/// The keyed coins of the one-run audit: a function of (seed, index), balanced, and seed-dependent.
@Suite struct CanaryCoinsTests {
    @Test func coinsAreKeyedByIndexAlone() {
        let many = CanaryCoins(seed: 7, count: 1000).all
        #expect(CanaryCoins(seed: 7, count: 1000).all == many)
        #expect(CanaryCoins(seed: 7, count: 10).all == Array(many.prefix(10)))  // the count does not move a coin
        #expect(CanaryCoins(seed: 8, count: 1000).all != many)
    }

    @Test func coinsAreFair() {
        // 10⁴ fair coins: 5000 ± 4σ (σ = 50) heads, and the two halves agree as often as chance.
        let coins = CanaryCoins(seed: 1, count: 10_000).all
        let heads = coins.filter { $0 }.count
        #expect(abs(heads - 5000) < 200, "\(heads)")
        let agreements = zip(coins.prefix(5000), coins.suffix(5000)).filter { $0 == $1 }.count
        #expect(abs(agreements - 2500) < 142, "\(agreements)")  // σ = √5000/2 ≈ 35
    }
}
