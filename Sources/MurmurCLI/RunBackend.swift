import Experiments
import Federation
import Foundation

/// `murmur run --backend local|mpi`: one process, or the rounds spread over the ranks of an `mpirun` job
/// (a build with the package trait MPI; docs/distributed.md).
///
/// Under MPI every rank runs the same scenario: rank 0 writes the run folder and prints; the others
/// keep their replica's files in a scratch folder, removed at the end, and print nothing (their metrics
/// are rank 0's, bit for bit). An error on any rank is printed by that rank and ends the whole job, so
/// none waits forever; the run folder keeps its last checkpoint.
///
/// - Parameter run: runs the scenario with the console and the run folder (nil: the scenario's own).
func withRunBackend(_ backend: String, scenario: Scenario, folder: String?, resume: Bool, console: Console,
                    run: (Console, String?) throws -> Void) throws {
    switch backend {
    case "local":
        try run(console, folder)
    case "mpi":
        #if MPI
        let group = try MPIProcessGroup()
        DistributedRun.group = group
        do {
            if group.rank == 0 {
                try run(console, folder)
            } else {
                let scratch = FileManager.default.temporaryDirectory
                    .appendingPathComponent("murmur-rank\(group.rank)-\(getpid())-\(UUID().uuidString)").path
                defer { try? FileManager.default.removeItem(atPath: scratch) }
                if resume {
                    // The replica continues from the same checkpoint as rank 0 (the folder rank 0 resumes).
                    var options = RunOptions()
                    options.runFolder = folder
                    options.resume = true
                    try FileManager.default.copyItem(atPath: try RunFolder.choose(options, scenario: scenario).path, toPath: scratch)
                }
                try run(Console(write: { _ in }, writeError: { _ in }), scratch)
            }
        } catch {
            guard group.size > 1 else { throw error }
            console.writeError("murmur run: rank \(group.rank) of \(group.size): \(error)")
            group.abort(code: 1)
        }
        group.finalise()
        #else
        throw CommandLineError.invalidValue(command: "run", option: "--backend", value: "mpi",
                                            allowed: "local (this murmur was built without MPI: build with "
                                                + "`swift build -c release --traits MPI`, docs/distributed.md)")
        #endif
    default:
        throw CommandLineError.invalidValue(command: "run", option: "--backend", value: backend, allowed: "local, mpi")
    }
}
