import Federation

/// Why a WAV file could not be read, as one line naming the file (the WAV reader's errors).
package enum WAVError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// Not a RIFF/WAVE file at all (an MP3, a FLAC, text).
    case notWAV(path: String, found: String)
    /// A WAVE file in an encoding the reader does not decode (compressed, 12-bit, RF64).
    case unsupported(path: String, format: String)
    /// The file ends before a chunk it declares does.
    case truncated(path: String, reason: String)
    /// Header values no real recording has (zero channels, a 7 Hz sample rate, a block size that
    /// disagrees with the sample width).
    case badHeader(path: String, reason: String)

    package var path: String {
        switch self {
        case let .unreadable(path, _), let .notWAV(path, _), let .unsupported(path, _), let .truncated(path, _),
             let .badHeader(path, _): path
        }
    }

    /// What is wrong, without the path.
    package var reason: String {
        switch self {
        case let .unreadable(_, reason): "cannot be read: \(reason)"
        case let .notWAV(_, found): "not a WAV file (expected \"RIFF\"…\"WAVE\", found \(found)); convert it to PCM WAV"
        case let .unsupported(_, format): "unsupported WAV encoding: \(format); use PCM 8/16/24/32-bit or 32-bit float"
        case let .truncated(_, reason): "truncated WAV file: \(reason)"
        case let .badHeader(_, reason): "bad WAV header: \(reason)"
        }
    }

    package var description: String { "\(path): \(reason)" }

    /// The same problem as a data error, for a dataset that refers to the file.
    package var dataError: DataError {
        switch self {
        case let .unreadable(path, reason): .unreadable(path: path, reason: reason)
        default: .unreadable(path: path, reason: reason)
        }
    }
}
