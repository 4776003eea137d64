import Synchronization

/// A request to stop a run at the next round boundary, set by the first SIGINT or SIGTERM (the command
/// line installs the handler). A run that sees it finishes the round in flight, writes a checkpoint,
/// its summary and its report, says how to resume, and ends; a sweep starts no further run.
package final class RunInterruption: Sendable {
    private let requested = Atomic<Bool>(false)
    /// The signal that asked, for the message (SIGINT 2, SIGTERM 15).
    private let signalNumber = Atomic<Int32>(0)

    package init() {}

    /// The process's own: signals are process-wide, so the command line's SIGINT / SIGTERM handler sets
    /// this one (tests of the runner make their own).
    package static let process = RunInterruption()

    /// Asks every run that shares this to stop after its current round.
    package func request(signal: Int32) {
        signalNumber.store(signal, ordering: .relaxed)
        requested.store(true, ordering: .releasing)
    }

    package var isRequested: Bool { requested.load(ordering: .acquiring) }

    /// "SIGINT", "SIGTERM", or "a stop request".
    package var reason: String {
        switch signalNumber.load(ordering: .relaxed) {
        case 2: "SIGINT"
        case 15: "SIGTERM"
        default: "a stop request"
        }
    }
}

/// Why a run ended, as `summary.json` records it.
package enum RunEnding: String, Sendable, Equatable, Codable {
    /// Every planned round ran.
    case completed
    /// The privacy budget allows no further round.
    case budgetExhausted
    /// The device trace has no client left to train.
    case traceEnded
    /// Stopped by SIGINT or SIGTERM at a round boundary; `--resume` continues it.
    case interrupted

    /// Whether the run is over for good (an interrupted one continues with `--resume`).
    package var isFinal: Bool { self != .interrupted }
}
