import Federation
import Testing

/// Cohorts: distinct, sorted, reproducible per round; Poisson sampling has the right mean.
@Suite struct CohortSamplingTests {
    @Test func fixedSizeCohortsAreDistinctAndReproducible() {
        let sampling = CohortSampling.fixedSize(50)
        let first = sampling.cohort(round: 1, population: 1_000_000, seed: 9)
        #expect(first.count == 50 && Set(first).count == 50 && first == first.sorted())
        #expect(first == sampling.cohort(round: 1, population: 1_000_000, seed: 9))
        #expect(first != sampling.cohort(round: 2, population: 1_000_000, seed: 9))
        #expect(sampling.cohort(round: 1, population: 30, seed: 9) == Array(0..<30))
    }

    @Test func poissonCohortSizesAverageRateTimesPopulation() {
        let sampling = CohortSampling.poisson(rate: 0.01)
        var total = 0
        for round in 1...200 {
            let cohort = sampling.cohort(round: round, population: 10_000, seed: 4)
            #expect(Set(cohort).count == cohort.count && cohort.allSatisfy { (0..<10_000).contains($0) })
            total += cohort.count
        }
        // Mean 100 per round, standard deviation of the 200-round mean ≈ 0.70: allow 5σ.
        #expect(abs(Double(total) / 200 - 100) < 3.5)
    }
}
