/// Which rank trains which client of a round: cohort position p goes to rank p mod P (cyclic).
///
/// Cyclic rather than contiguous because rank 0 adds updates strictly in cohort order as they arrive:
/// with contiguous blocks rank 1's first update would wait for all of rank 0's block, so ranks would
/// take turns; dealt out cyclically, every rank works on the front of the cohort at once and waits
/// only for its neighbours' current clients. The split changes where a client trains, never its result
/// (its randomness is keyed by seed, round and user), nor the order of the sum.
package struct CohortSplit: Sendable, Equatable {
    package var ranks: Int

    package init(ranks: Int) {
        precondition(ranks >= 1, "CohortSplit: at least one rank")
        self.ranks = ranks
    }

    /// The rank that trains the client at cohort position `position`.
    package func owner(of position: Int) -> Int { position % ranks }

    /// The positions of `0..<cohortSize` that `rank` trains, in increasing order.
    package func positions(of rank: Int, cohortSize: Int) -> StrideTo<Int> { stride(from: rank, to: cohortSize, by: ranks) }
}
