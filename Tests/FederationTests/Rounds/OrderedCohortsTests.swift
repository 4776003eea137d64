import Federation
import Testing

@Suite struct OrderedCohortsTests {
    /// pfl-research's minimize_reuse sampler is itertools.cycle over its id list: round r takes the next
    /// `cohortSize`, wrapping around. With 5 users and cohorts of 2: [3,0], [4,1], [2,3], [0,4], [1,2], [3,0], …
    @Test func roundsTakeTheNextUsersAndWrap() {
        let order = OrderedCohorts(order: [3, 0, 4, 1, 2], cohortSize: 2)
        #expect((1...6).map { order.cohort(round: $0) } == [[3, 0], [4, 1], [2, 3], [0, 4], [1, 2], [3, 0]])
        let cycled = Array(repeating: [3, 0, 4, 1, 2], count: 40).flatMap { $0 }
        #expect(order.cohort(round: 1_000_001) == Array(cycled[(2_000_000 % 5)..<(2_000_000 % 5 + 2)]))
    }

    /// The sampling hook uses the order when there is one, and draws as before when not.
    @Test func theSamplingHookPrefersTheOrder() {
        let sampling = CohortSampling.fixedSize(2)
        let order = OrderedCohorts(order: [7, 1, 5], cohortSize: 2)
        #expect(sampling.cohort(round: 2, population: 10, seed: 4, order: order) == [5, 7])
        #expect(sampling.cohort(round: 2, population: 10, seed: 4, order: nil)
            == sampling.cohort(round: 2, population: 10, seed: 4))
    }

    @Test func parsesIndicesOrNames() throws {
        #expect(try OrderedCohorts.parse("2\n0\n\n1\n", population: 3) { [] } == [2, 0, 1])
        #expect(try OrderedCohorts.parse("ub\nua\nuc\n", population: 3) { ["ua", "ub", "uc"] } == [1, 0, 2])
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        let text: String, message: String
        var testDescription: String { message }
    }

    @Test(arguments: [
        Bad(text: "\n \n", message: "the file lists no users"),
        Bad(text: "0\n3\n", message: "line 2: user index 3 is outside 0..<3"),
        Bad(text: "ua\nzz\n", message: "line 2: no user zz in the population"),
    ]) func refusesBadOrders(_ bad: Bad) {
        do {
            _ = try OrderedCohorts.parse(bad.text, population: 3) { ["ua", "ub", "uc"] }
            Issue.record("accepted \(bad.text)")
        } catch {
            #expect("\(error)" == bad.message)
        }
    }
}
