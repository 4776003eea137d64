/// The processes a run's rounds are spread over (MPI ranks under `mpirun`): rank 0 sums the cohort's
/// updates in cohort order and writes the run's files; every rank trains its share of the cohort and
/// holds a replica of the server state.
///
/// Blocking point-to-point messages and two collectives are all a round needs (`FederatedTraining`'s
/// distributed cohort, docs/distributed.md). Every call is made from the thread that runs the rounds.
package protocol ProcessGroup: AnyObject, Sendable {
    /// This process's rank, in `0..<size`.
    var rank: Int { get }
    /// How many processes share the run.
    var size: Int { get }
    /// Sends `bytes` to `destination` under `tag`; returns once the buffer may be reused.
    func send(_ bytes: UnsafeRawBufferPointer, to destination: Int, tag: Int) throws(DistributedError)
    /// Receives exactly `buffer.count` bytes from `source` under `tag`.
    func receive(into buffer: UnsafeMutableRawBufferPointer, from source: Int, tag: Int) throws(DistributedError)
    /// Makes `buffer` on every rank equal to `root`'s.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws(DistributedError)
    /// Every rank's `words` (the same count on every rank), by rank.
    func allGather(_ words: [UInt64]) throws(DistributedError) -> [[UInt64]]
}

/// A failure of the distributed backend, as one line saying what to do.
package enum DistributedError: Error, Equatable, CustomStringConvertible {
    /// An MPI call returned an error (a rank died, a network failed).
    case communication(call: String, rank: Int, message: String)
    /// The ranks' replicas of the server state differ entering a round (nodes whose CPUs or builds
    /// differ compute different bits).
    case replicasDiverged(round: Int, hashes: [UInt64])
    /// A message that does not belong where it arrived (ranks running different scenarios or builds).
    case unexpectedMessage(round: Int, position: Int, detail: String)
    /// The MPI library cannot give what the backend needs.
    case unsupported(String)
    /// Rank 0's run ended at a round boundary this rank had not reached the end of (it was stopped by a
    /// signal or a stop request): not a failure, the replica just stops too.
    case runEnded(round: Int)

    package var description: String {
        switch self {
        case let .communication(call, rank, message):
            "MPI: \(call) failed on rank \(rank): \(message); a rank died or lost its network — the run folder keeps its "
                + "last checkpoint: run the same mpirun command with --resume"
        case let .replicasDiverged(round, hashes):
            "MPI: the ranks' models differ entering round \(round) (hashes \(hashes.map { String($0, radix: 16) })); "
                + "run every rank with the same murmur build on the same CPU type"
        case let .unexpectedMessage(round, position, detail):
            "MPI: round \(round), cohort position \(position): \(detail); every rank must run the same scenario and build"
        case let .unsupported(what): "MPI: \(what)"
        case let .runEnded(round): "MPI: rank 0's run ended before round \(round)"
        }
    }
}
