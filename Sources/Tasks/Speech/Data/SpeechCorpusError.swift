/// Why `murmur data synth-asr` could not make a speech corpus; each renders as one actionable line.
package enum SpeechCorpusError: Error, Equatable, CustomStringConvertible {
    /// espeak-ng is not installed (not on `PATH`, not in /usr/bin).
    case espeakMissing
    /// espeak-ng ran but failed, or wrote something that is not a WAV file.
    case espeakFailed(command: String, reason: String)
    /// The output folder exists and is not empty, and `--force` was not given.
    case outputNotEmpty(path: String)
    /// A file of the corpus could not be written.
    case writeFailed(path: String, reason: String)

    package var description: String {
        switch self {
        case .espeakMissing:
            "espeak-ng is not installed; install it with: apt-get install espeak-ng"
        case let .espeakFailed(command, reason):
            "\(command) failed: \(reason)"
        case let .outputNotEmpty(path):
            "\(path) exists and is not empty; choose another --out or pass --force to replace the corpus in it"
        case let .writeFailed(path, reason):
            "\(path): cannot be written: \(reason)"
        }
    }
}
