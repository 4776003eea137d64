import Foundation

/// Where commands write: standard output for results, standard error for progress and errors.
/// Tests substitute closures that capture the text.
public struct Console: Sendable {
    let write: @Sendable (String) -> Void
    let writeError: @Sendable (String) -> Void
    /// Whether this is the process's own standard output and error (not a test's capture).
    var isStandard = false

    /// A console writing lines to the given closures (tests capture output this way).
    package init(write: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void,
                 isStandard: Bool = false) {
        self.write = write
        self.writeError = writeError
        self.isStandard = isStandard
    }

    /// The process's standard output and error.
    public static let standard = Console(
        write: { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        },
        writeError: { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }, isStandard: true)

    /// Whether progress goes to a terminal, where a status line may be rewritten in place.
    var progressIsTerminal: Bool { isStandard && isatty(STDERR_FILENO) != 0 }

    /// Writes progress text to stderr: a status line starting with "\r" is written as is on a
    /// terminal (rewritten in place, no newline); everything else is a line.
    func writeProgress(_ text: String) {
        if progressIsTerminal && text.hasPrefix("\r") {
            FileHandle.standardError.write(Data(text.utf8))
        } else {
            writeError(text)
        }
    }
}
