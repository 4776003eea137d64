import Synchronization

/// The process group of this process's run, when it was started with `--backend mpi` (nil: one process),
/// and how the ranks agree when the run ends.
///
/// Process-wide because the group is the process's (MPI is initialised once per process), set by the
/// command line before the run is built and read by `FederatedTraining` each round.
///
/// Ending together: every round's first collective (`enterRound`) gathers two words from each rank — the
/// hash of its model and its state: whether rank 0's run has ended, and any stop a rank was asked for (a
/// signal). Rank 0, which alone decides when the run ends (its rounds, its budget, its SIGINT), posts
/// "ended" with `finish` at the very end; a replica that is already entering the next round then
/// receives it in place of a round and stops (`DistributedError.runEnded`). A stop asked of any rank is
/// seen by all of them in the same round, and rank 0 stops after that round as a single process would.
/// So every rank makes the same sequence of collective calls, and none waits forever.
package enum DistributedRun {
    private static let current = Mutex<(any ProcessGroup)?>(nil)
    private static let stop = Atomic<Int32>(0)
    private static let stopHandler = Mutex<(@Sendable (Int32) -> Void)?>(nil)

    /// The group rounds are spread over; only groups of more than one process change how a round runs.
    package static var group: (any ProcessGroup)? {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }

    /// Asks the whole run to stop after a round (from a signal handler's queue): every rank learns it
    /// in the next round's first collective.
    package static func requestStop(signal: Int32) { stop.store(signal, ordering: .releasing) }

    /// What a rank does when the ranks have agreed to stop after the round in flight (rank 0: ask its
    /// runner to stop at the round boundary, as SIGINT does on one process), with the signal that asked.
    package static func onStopAgreed(_ handler: @escaping @Sendable (Int32) -> Void) {
        stopHandler.withLock { $0 = handler }
    }

    /// The state word's bits: rank 0 has ended (bit 0), the stop signal asked of this rank (bits 8–15).
    private static let ended: UInt64 = 1

    /// The first collective of round `round`: checks that every replica starts from the same model
    /// (`fingerprint`), stops a replica whose rank 0 has ended, and passes on a stop asked of any rank.
    static func enterRound(_ group: any ProcessGroup, fingerprint: UInt64, round: Int) throws(DistributedError) {
        let asked = UInt64(UInt32(bitPattern: stop.load(ordering: .acquiring)) & 0xFF) << 8
        let all = try group.allGather([fingerprint, asked])
        if all[0][1] & ended != 0 { throw .runEnded(round: round) }
        guard all.allSatisfy({ $0[0] == fingerprint }) else { throw .replicasDiverged(round: round, hashes: all.map { $0[0] }) }
        if let signal = all.lazy.map({ Int32(($0[1] >> 8) & 0xFF) }).first(where: { $0 != 0 }) {
            stopHandler.withLock { $0 }?(signal)
        }
    }

    /// The last collective of every rank: rank 0 posts that its run has ended; a replica that finished
    /// the same rounds checks that rank 0 has (it would otherwise be starting a round alone).
    package static func finish(_ group: any ProcessGroup) throws(DistributedError) {
        let all = try group.allGather([0, group.rank == 0 ? ended : 0])
        guard all[0][1] & ended != 0 else {
            throw .unexpectedMessage(round: -1, position: -1, detail: "this rank ended its run while rank 0 went on")
        }
    }
}
