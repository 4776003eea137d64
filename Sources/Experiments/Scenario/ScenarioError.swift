/// A scenario that cannot run, as one line naming the file, the key path and what is allowed.
package struct ScenarioError: Error, Equatable, CustomStringConvertible {
    package var file: String
    /// The dotted path of the offending key (`clients.cohortSize`), or empty for the whole file.
    package var keyPath: String
    package var message: String

    package init(file: String, keyPath: String, message: String) {
        self.file = file
        self.keyPath = keyPath
        self.message = message
    }

    package var description: String {
        keyPath.isEmpty ? "\(file): \(message)" : "\(file): \(keyPath): \(message)"
    }
}
