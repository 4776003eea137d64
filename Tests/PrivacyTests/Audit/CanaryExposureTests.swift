import Foundation
import Privacy
import Testing

/// Exposure by rank among sampled candidates (Carlini et al. 2019, §4.2): log₂(n + 1) − log₂ rank.
@Suite struct CanaryExposureTests {
    @Test func exposureOfAKnownRank() {
        #expect(CanaryExposure.exposure(rank: 1, candidates: 1023) == 10)  // likelier than every candidate
        #expect(CanaryExposure.exposure(rank: 1024, candidates: 1023) == 0)  // no likelier than any
        #expect(CanaryExposure.exposure(rank: 4, candidates: 15) == 2)
    }

    @Test func rankCountsTiesAgainstTheCanary() {
        let candidates: [Double] = [3, 1, 4, 1, 5, 9, 2, 6]
        #expect(CanaryExposure.rank(of: 0.5, among: candidates) == 1)
        #expect(CanaryExposure.rank(of: 1, among: candidates) == 3)  // both 1s count
        #expect(CanaryExposure.rank(of: 10, among: candidates) == 9)
        #expect(CanaryExposure.exposure(of: 0.5, among: candidates) == log2(9))
    }
}
