import Foundation

/// Where commands write: standard output for results, standard error for progress and errors.
/// Tests substitute closures that capture the text.
public struct Console: Sendable {
    let write: @Sendable (String) -> Void
    let writeError: @Sendable (String) -> Void

    /// A console writing lines to the given closures (tests capture output this way).
    package init(write: @escaping @Sendable (String) -> Void, writeError: @escaping @Sendable (String) -> Void) {
        self.write = write
        self.writeError = writeError
    }

    /// The process's standard output and error.
    public static let standard = Console(
        write: { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        },
        writeError: { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        })
}
