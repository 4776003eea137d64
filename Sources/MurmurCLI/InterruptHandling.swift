import Dispatch
import Experiments
import Foundation

/// SIGINT and SIGTERM for a running command: the first asks the run to stop at its next round boundary
/// (checkpoint, summary, report, a note on how to resume), the second ends the process at once.
///
/// Only the process's own console installs handlers (a test's captured console does not), so tests that
/// call the command line in-process leave the test runner's signals alone.
final class InterruptHandling: @unchecked Sendable {
    // @unchecked: the sources are set once in init and only kept alive afterwards.
    let interruption = RunInterruption.process
    private var sources: [any DispatchSourceSignal] = []

    init(console: Console) {
        guard console.isStandard else { return }
        let interruption = self.interruption
        for (signalNumber, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(signalNumber, SIG_IGN)  // delivered to the dispatch source instead of ending the process
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                // Signals that arrive together are delivered as one event whose data counts them.
                if interruption.isRequested || source.data > 1 { _exit(128 + signalNumber) }
                interruption.request(signal: signalNumber)
                console.writeError("\nmurmur: \(name): finishing the round in flight, then a checkpoint, the summary and the "
                    + "report (\(name) again stops at once)")
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// A run or experiment stopped by SIGINT / SIGTERM at a round boundary: everything is written, and
/// `--resume` (or repeating a sweep) continues it. Exit status 130, as for an interrupted command.
struct RunInterrupted: Error, CustomStringConvertible {
    var folder: String
    var description: String { "interrupted; \(folder) holds a checkpoint, the summary and the report so far" }
}
