import Foundation

/// `--set key.path=value`: changes one key of a scenario before validation, so overrides are checked
/// exactly like the file. The value is read as JSON when it parses (numbers, true/false, quoted strings,
/// objects), otherwise as a plain string (`--set server.optimizer=fedadam`); `null` removes the key, so
/// `--set privacy=null` runs a private scenario without differential privacy.
package enum ScenarioOverride {
    package static func apply(_ assignment: String, to tree: inout [String: Any], file: String) throws(ScenarioError) {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
            throw ScenarioError(file: "--set", keyPath: "", message: "'\(assignment)' must look like key.path=value")
        }
        let path = assignment[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !path.contains("") else {
            throw ScenarioError(file: "--set", keyPath: String(assignment[..<equals]), message: "empty key in the path")
        }
        let text = String(assignment[assignment.index(after: equals)...])
        let value: Any = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
        try set(value, at: path[...], in: &tree, file: file, walked: [])
    }

    private static func set(_ value: Any, at path: ArraySlice<String>, in tree: inout [String: Any], file: String,
                            walked: [String]) throws(ScenarioError) {
        let key = path.first!
        if path.count == 1 {
            if value is NSNull { tree.removeValue(forKey: key) } else { tree[key] = value }  // null removes the key
            return
        }
        var child: [String: Any]
        if let existing = tree[key] {
            guard let object = existing as? [String: Any] else {
                throw ScenarioError(file: file, keyPath: (walked + [key]).joined(separator: "."),
                                    message: "is not an object, so --set cannot set a key inside it")
            }
            child = object
        } else {
            child = [:]
        }
        try set(value, at: path.dropFirst(), in: &child, file: file, walked: walked + [key])
        tree[key] = child
    }
}
