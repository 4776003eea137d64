import Foundation
import Synchronization

/// Failures injected at named points of a run, for the tests of crash safety: `MURMUR_FAULT=POINT:N[:KIND]`
/// makes the N-th time the run reaches POINT (counting from 1) kill the process with SIGKILL (`kill`, the
/// default: as `kill -9` would, with no cleanup at all), fail the write there as a full disk
/// (`nospace`) or a folder without permission (`permission`) would, or send the process SIGINT once
/// (`interrupt`) or twice (`interrupt2`), as Ctrl-C would.
///
/// Points: `round` (a round trained, before its metrics line), `metrics` (half of a metrics line
/// written), `checkpoint` (half of the checkpoint's temporary file written, before the rename),
/// `summary` (half of summary.json's temporary file written). Without the variable nothing happens; it is read once.
package enum FaultInjection {
    package enum Point: String, Sendable { case round, metrics, checkpoint, summary }

    private struct Plan: Sendable {
        var point: String
        var occurrence: Int
        var kind: String
    }

    private static let plan: Plan? = {
        guard let text = ProcessInfo.processInfo.environment["MURMUR_FAULT"] else { return nil }
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count >= 2, let occurrence = Int(parts[1]) else { return nil }
        return Plan(point: parts[0], occurrence: occurrence, kind: parts.count > 2 ? parts[2] : "kill")
    }()

    private static let counts = Mutex<[String: Int]>([:])

    /// Called at `point` while writing `url` (if any): kills the process, throws the injected write
    /// error, or returns, as `MURMUR_FAULT` says.
    package static func reach(_ point: Point, writing url: URL? = nil) throws {
        guard let plan, plan.point == point.rawValue else { return }
        let count = counts.withLock { counts -> Int in
            counts[plan.point, default: 0] += 1
            return counts[plan.point]!
        }
        guard count == plan.occurrence else { return }
        switch plan.kind {
        case "nospace": throw CocoaError(.fileWriteOutOfSpace, userInfo: [NSFilePathErrorKey: url?.path ?? ""])
        case "permission": throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url?.path ?? ""])
        case "interrupt": kill(getpid(), SIGINT)
        case "interrupt2":
            // The second Ctrl-C once the first has been taken (signals sent together merge into one).
            kill(getpid(), SIGINT)
            while !RunInterruption.process.isRequested { sched_yield() }
            kill(getpid(), SIGINT)
        default: kill(getpid(), SIGKILL)
        }
    }
}
