/// A saved optimizer state that does not fit the optimizer it is restored into.
package enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
    case missing(name: String)
    case wrongLength(name: String, expected: Int, found: Int)

    package var description: String {
        switch self {
        case let .missing(name): "optimizer state has no '\(name)'"
        case let .wrongLength(name, expected, found): "optimizer state '\(name)' has \(found) values, expected \(expected)"
        }
    }

    /// The vector `name` from `state`, checked to have `count` values.
    static func vector(_ name: String, count: Int, in state: [String: [Float]]) throws(OptimizerStateError) -> [Float] {
        guard let values = state[name] else { throw .missing(name: name) }
        guard values.count == count else { throw .wrongLength(name: name, expected: count, found: values.count) }
        return values
    }

    /// A step counter saved as one value.
    static func count(_ name: String, in state: [String: [Float]]) throws(OptimizerStateError) -> Int {
        Int(try vector(name, count: 1, in: state)[0])
    }
}
