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
}
