import Foundation

/// Reads one JSON object of a scenario with validation, recording every value it returns (defaults
/// included) so the resolved scenario can be written out whole.
///
/// Each accessor names its key, default and allowed range; `finish()` then rejects any key that was
/// not read, with a "did you mean" among the keys this section accepts. Errors carry the file and the
/// dotted key path.
package final class ScenarioReader {
    package let file: String
    package let path: String
    private let object: [String: Any]
    private var readKeys: [String] = []
    private var children: [String: ScenarioReader] = [:]
    private(set) var resolved: [String: Any] = [:]

    package init(file: String, path: String = "", object: [String: Any]) {
        self.file = file
        self.path = path
        self.object = object
    }

    private func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    package func error(_ key: String, _ message: String) -> ScenarioError {
        ScenarioError(file: file, keyPath: keyPath(key), message: message)
    }

    private func value(_ key: String) -> Any? {
        readKeys.append(key)
        return object[key]
    }

    /// Marks optional keys as known, so a misspelling of one is told "did you mean" even when the key
    /// itself is absent (keys read with `contains` first).
    package func declare(_ keys: [String]) { readKeys.append(contentsOf: keys) }

    /// Whether the section has no keys at all.
    package var isEmpty: Bool { object.isEmpty }

    /// Whether the key is present in the file (without reading it).
    package func contains(_ key: String) -> Bool { object[key] != nil }

    /// A nested object (empty if absent).
    package func section(_ key: String) throws(ScenarioError) -> ScenarioReader {
        let raw = value(key)
        guard raw == nil || raw is [String: Any] else { throw error(key, "must be an object { … }, got \(describe(raw!))") }
        let child = ScenarioReader(file: file, path: keyPath(key), object: raw as? [String: Any] ?? [:])
        children[key] = child
        return child
    }

    /// An integer in `range`.
    package func integer(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        let result: Int
        if let raw = value(key) {
            guard let number = raw as? NSNumber, !isBoolean(raw), let exact = Int(exactly: number.doubleValue) else {
                throw error(key, "must be an integer in \(range.lowerBound)...\(range.upperBound), got \(describe(raw))")
            }
            result = exact
        } else {
            result = fallback
        }
        guard range.contains(result) else {
            throw error(key, "must be an integer in \(range.lowerBound)...\(range.upperBound), got \(result)")
        }
        resolved[key] = result
        return result
    }

    /// A number in `range` (`open` excludes the lower bound).
    package func number(_ key: String, default fallback: Double, in range: ClosedRange<Double>,
                        excludingLowerBound: Bool = false) throws(ScenarioError) -> Double {
        let allowed = "a number in \(excludingLowerBound ? "(" : "[")\(range.lowerBound), \(range.upperBound)]"
        let result: Double
        if let raw = value(key) {
            guard let number = raw as? NSNumber, !isBoolean(raw) else {
                throw error(key, "must be \(allowed), got \(describe(raw))")
            }
            result = number.doubleValue
        } else {
            result = fallback
        }
        guard range.contains(result), !(excludingLowerBound && result == range.lowerBound), result.isFinite else {
            throw error(key, "must be \(allowed), got \(result)")
        }
        resolved[key] = result
        return result
    }

    /// One of `allowed` strings.
    package func choice(_ key: String, default fallback: String, among allowed: [String]) throws(ScenarioError) -> String {
        let result: String
        if let raw = value(key) {
            guard let text = raw as? String else {
                throw error(key, "must be one of \(allowed.joined(separator: ", ")), got \(describe(raw))")
            }
            result = text
        } else {
            result = fallback
        }
        guard allowed.contains(result) else {
            let hint = suggestion(for: result, among: allowed).map { "; did you mean '\($0)'?" } ?? ""
            throw error(key, "'\(result)' is not one of \(allowed.joined(separator: ", "))\(hint)")
        }
        resolved[key] = result
        return result
    }

    /// A free string (a name, a path), or nil when absent and no default is given.
    package func string(_ key: String, default fallback: String?) throws(ScenarioError) -> String? {
        guard let raw = value(key) else {
            if let fallback { resolved[key] = fallback }
            return fallback
        }
        guard let text = raw as? String, !text.isEmpty else { throw error(key, "must be a non-empty string, got \(describe(raw))") }
        resolved[key] = text
        return text
    }

    /// The key's JSON value as it is, for shapes the typed accessors do not cover (a map of names to
    /// weights, a list); the caller validates it. Recorded as read and, when present, as resolved.
    package func json(_ key: String) -> Any? {
        let raw = value(key)
        if let raw { resolved[key] = raw }
        return raw
    }

    /// Records a value the caller computed for `key` (a default the caller chose), for the resolved scenario.
    package func resolve(_ key: String, as value: Any) { resolved[key] = value }

    /// true or false.
    package func boolean(_ key: String, default fallback: Bool) throws(ScenarioError) -> Bool {
        let result: Bool
        if let raw = value(key) {
            guard isBoolean(raw), let flag = raw as? Bool else { throw error(key, "must be true or false, got \(describe(raw))") }
            result = flag
        } else {
            result = fallback
        }
        resolved[key] = result
        return result
    }

    /// Rejects keys no accessor read; `note` explains when some keys apply only to another choice.
    ///
    /// A key that no choice of this section takes (a misspelling) is reported before one that only applies
    /// to another choice, so `"optimiser": "fedadam"` is blamed on `optimiser`, not on the `adaptivity`
    /// that fedadam would have read; the latter gets the `--set … =null` that removes it.
    package func finish(note: String? = nil) throws(ScenarioError) {
        let unread = object.keys.sorted().filter { !readKeys.contains($0) }
        guard !unread.isEmpty else { return }
        let accepted = ScenarioKey.names(in: path)
        let misspelt = unread.filter { !accepted.contains($0) }
        let why = note.map { " (\($0))" } ?? ""
        if let key = misspelt.first(where: { suggestion(for: $0, among: readKeys) != nil }) ?? misspelt.first {
            let hint = suggestion(for: key, among: readKeys).map { "did you mean '\($0)'?" }
                ?? suggestion(for: key, among: Array(accepted)).map { "did you mean '\($0)'?" }
                ?? "allowed here: \(readKeys.sorted().joined(separator: ", "))"
            throw error(key, "unknown key; \(hint)" + why)
        }
        let key = unread[0]
        throw error(key, "does not apply here\(why); remove it, e.g. --set \(keyPath(key))=null")
    }

    /// The values read here and in nested sections, defaults included.
    package var resolvedTree: [String: Any] {
        var tree = resolved
        for (key, child) in children { tree[key] = child.resolvedTree }
        return tree
    }

    private func isBoolean(_ raw: Any) -> Bool {
        // JSONSerialization gives booleans as NSNumber; on Linux their type is distinguishable by `Bool`.
        type(of: raw) == Bool.self || String(describing: type(of: raw)).contains("Bool")
    }

    private func describe(_ raw: Any) -> String {
        if isBoolean(raw) { return (raw as? Bool) == true ? "true" : "false" }
        if let text = raw as? String { return "\"\(text)\"" }
        if raw is [Any] { return "a list" }
        if raw is [String: Any] { return "an object" }
        if raw is NSNull { return "null" }
        return "\(raw)"
    }
}
