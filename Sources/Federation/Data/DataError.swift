/// A problem with a dataset or a data-making command, as one line naming the file and what is wrong.
package enum DataError: Error, Equatable, CustomStringConvertible {
    /// A file or folder that should exist does not.
    case missingFile(path: String, expected: String)
    /// A file that exists could not be read.
    case unreadable(path: String, reason: String)
    /// A line of a data file that does not have the documented form.
    case corruptLine(path: String, line: Int, reason: String)
    /// An argument of a data-making command out of its range.
    case invalidArgument(name: String, value: String, allowed: String)

    package var description: String {
        switch self {
        case let .missingFile(path, expected): "\(path): not found (expected \(expected))"
        case let .unreadable(path, reason): "\(path): cannot be read: \(reason)"
        case let .corruptLine(path, line, reason): "\(path):\(line): \(reason)"
        case let .invalidArgument(name, value, allowed): "\(name) = \(value) is not valid; allowed: \(allowed)"
        }
    }
}
