import Experiments
import Federation
import Foundation
import Synchronization

/// `murmur run --backend local|mpi`: one process, or the rounds spread over the ranks of an `mpirun` job
/// (a build with the package trait MPI; docs/distributed.md).
///
/// Under MPI rank 0 runs the scenario as one process would — it alone evaluates, prints and writes the
/// run folder — while every other rank runs a `ReplicaRun`: its share of each round's training and a
/// replica of the server state, writing nothing. On `--resume` rank 0 sends the others the checkpoint it
/// continues from. A stop asked of any rank (SIGINT / SIGTERM to rank 0, either of them or SIGUSR1 to
/// another rank; SIGUSR1 is what `mpirun` forwards) ends the run at a round boundary on every rank, with
/// rank 0's checkpoint, summary and report, and exit status 130. An error on any rank is printed by that
/// rank and ends the whole job, so none waits forever; the run folder keeps its last checkpoint.
///
/// - Parameter run: runs the scenario with the console and the run folder (nil: the scenario's own).
func withRunBackend(_ backend: String, scenario: Scenario, folder: String?, resume: Bool, threads: Int, console: Console,
                    run: (Console, String?) throws -> Void) throws {
    switch backend {
    case "local":
        try run(console, folder)
    case "mpi":
        #if MPI
        let group = try MPIProcessGroup()
        DistributedRun.group = group
        let signals = StopSignals(rank: group.rank)
        var interrupted: RunInterrupted?
        do {
            if group.rank == 0 {
                DistributedRun.onStopAgreed { RunInterruption.process.request(signal: $0) }
                try sendCheckpoint(resume ? try resumedCheckpoint(scenario: scenario, folder: folder) : Data(), group: group)
                do { try run(console, folder) } catch let stopped as RunInterrupted { interrupted = stopped }
                try DistributedRun.finish(group)
            } else {
                let checkpoint = try receiveCheckpoint(group: group)
                try ReplicaRun(scenario: scenario, threads: threads, group: group, checkpoint: checkpoint).run()
            }
        } catch {
            guard group.size > 1 else { throw error }
            console.writeError("murmur run: rank \(group.rank) of \(group.size): \(error)")
            group.abort(code: 1)
        }
        withExtendedLifetime(signals) {}
        group.finalise()
        if let interrupted { throw interrupted }
        #else
        throw CommandLineError.invalidValue(command: "run", option: "--backend", value: "mpi",
                                            allowed: "local (this murmur was built without MPI: build with "
                                                + "`swift build -c release --traits MPI`, docs/distributed.md)")
        #endif
    default:
        throw CommandLineError.invalidValue(command: "run", option: "--backend", value: backend, allowed: "local, mpi")
    }
}

#if MPI
/// The bytes of the checkpoint `murmur run --resume` continues from in `folder` (empty: none, the run
/// starts again), for the other ranks.
private func resumedCheckpoint(scenario: Scenario, folder: String?) throws -> Data {
    var options = RunOptions()
    options.runFolder = folder
    options.resume = true
    let chosen = try RunFolder.choose(options, scenario: scenario)
    return chosen.hasCheckpoint ? try Data(contentsOf: chosen.checkpointURL) : Data()
}

/// Rank 0 broadcasts `bytes` (its length first).
private func sendCheckpoint(_ bytes: Data, group: any ProcessGroup) throws {
    var count = [UInt64(bytes.count)]
    try count.withUnsafeMutableBytes { try group.broadcast($0, root: 0) }
    var copy = [UInt8](bytes)
    if !copy.isEmpty { try copy.withUnsafeMutableBytes { try group.broadcast($0, root: 0) } }
}

/// The checkpoint rank 0 broadcasts, or nil if it starts afresh.
private func receiveCheckpoint(group: any ProcessGroup) throws -> TrainingCheckpoint? {
    var count = [UInt64(0)]
    try count.withUnsafeMutableBytes { try group.broadcast($0, root: 0) }
    guard count[0] > 0 else { return nil }
    var bytes = [UInt8](repeating: 0, count: Int(count[0]))
    try bytes.withUnsafeMutableBytes { try group.broadcast($0, root: 0) }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-rank\(group.rank)-\(getpid()).checkpoint")
    defer { try? FileManager.default.removeItem(at: file) }
    try Data(bytes).write(to: file)
    return try TrainingCheckpoint.read(from: file)
}

/// The signals that ask an MPI run to stop at a round boundary: SIGUSR1 on every rank (`mpirun` forwards
/// it; SIGINT and SIGTERM to `mpirun` end the job within a second, Open MPI's `odls_base_sigkill_timeout`),
/// and SIGINT / SIGTERM on the ranks other than 0 (rank 0's are the single process's, `InterruptHandling`).
/// A second signal ends the rank at once.
private final class StopSignals: @unchecked Sendable {
    // @unchecked: the sources are set once in init and only kept alive afterwards.
    private var sources: [any DispatchSourceSignal] = []

    init(rank: Int) {
        let signals = rank == 0 ? [SIGUSR1] : [SIGUSR1, SIGINT, SIGTERM]
        let asked = Mutex(false)
        for signalNumber in signals {
            signal(signalNumber, SIG_IGN)  // delivered to the dispatch source instead of ending the process
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if asked.withLock({ $0 }) || source.data > 1 { _exit(128 + signalNumber) }
                asked.withLock { $0 = true }
                DistributedRun.requestStop(signal: signalNumber)
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
#endif
