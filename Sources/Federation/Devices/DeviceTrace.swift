import Foundation

/// A recorded (or generated) device fleet: one client a line of a JSONL file (docs/formats.md):
///
///     {"client": "c00017", "class": "mid-phone", "timeZoneHours": -5,
///      "availability": [[0, 25200], [79200, 104400]], "failures": [91000.5]}
///
/// Times are seconds since the trace's clock started (midnight UTC of day 0). A line gives its
/// device class, or measured rates (`flopsPerSecond`, `memoryBytes`, `uplinkBitsPerSecond`,
/// `downlinkBitsPerSecond`) which override the class's; a line with all four needs no class.
package struct DeviceTrace: Sendable, Equatable {
    /// One client of the trace.
    package struct Client: Sendable, Equatable {
        package var id: String
        package var profile: DeviceProfile
        package var timeZoneHours: Double
        package var availability: ClientAvailability

        package init(id: String, profile: DeviceProfile, timeZoneHours: Double, availability: ClientAvailability) {
            self.id = id
            self.profile = profile
            self.timeZoneHours = timeZoneHours
            self.availability = availability
        }
    }

    package var clients: [Client]

    package init(clients: [Client]) {
        self.clients = clients
    }

    /// The end of the last availability window: the clock cannot run past it.
    package var durationSeconds: Double { clients.map { $0.availability.windows.last?.end ?? 0 }.max() ?? 0 }

    /// Reads a trace file; classes are looked up in `profiles` (by name).
    package init(contentsOf path: String, profiles: [String: DeviceProfile]) throws(DeviceError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DeviceError(file: path, line: nil, message: FileManager.default.fileExists(atPath: path)
                ? "cannot be read" : "no such trace file (traces are JSONL files, e.g. clients/traces/sample.jsonl)")
        }
        var clients: [Client] = []
        var seen = Set<String>()
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            let client = try Self.client(from: line, profiles: profiles, file: path, line: index + 1)
            guard seen.insert(client.id).inserted else {
                throw DeviceError(file: path, line: index + 1, message: "client '\(client.id)' appears twice")
            }
            clients.append(client)
        }
        guard !clients.isEmpty else { throw DeviceError(file: path, line: nil, message: "holds no clients") }
        self.clients = clients
    }

    private static let measuredKeys = ["flopsPerSecond", "memoryBytes", "uplinkBitsPerSecond", "downlinkBitsPerSecond"]
    private static let keys = Set(["client", "class", "timeZoneHours", "availability", "failures"] + measuredKeys)

    private static func client(from line: Substring, profiles: [String: DeviceProfile], file: String, line lineNumber: Int)
        throws(DeviceError) -> Client {
        func fail(_ message: String) -> DeviceError { DeviceError(file: file, line: lineNumber, message: message) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
            throw fail("not a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw fail("unknown key '\(unknown)' (allowed: \(keys.sorted().joined(separator: ", ")))")
        }
        guard let id = object["client"] as? String, !id.isEmpty else { throw fail("'client' must be a non-empty string") }
        var profile: DeviceProfile
        if let name = object["class"] {
            guard let name = name as? String, let known = profiles[name] else {
                throw fail("'class' must be one of \(profiles.keys.sorted().joined(separator: ", "))")
            }
            profile = known
        } else {
            guard measuredKeys.allSatisfy({ object[$0] != nil }) else {
                throw fail("give a 'class', or all of \(measuredKeys.joined(separator: ", "))")
            }
            // The rates are filled in below; the pattern is never used, since a trace gives the windows.
            profile = DeviceProfile(name: "measured", flopsPerSecond: 0, memoryBytes: 0, uplinkBitsPerSecond: 0,
                                    downlinkBitsPerSecond: 0, availability: DeviceProfiles.standard[0].availability)
        }
        func number(_ key: String) throws(DeviceError) -> Double? {
            guard let value = object[key] else { return nil }
            // JSONSerialization gives booleans as NSNumber too; on Linux their type name says Bool.
            let isBoolean = String(describing: type(of: value)).contains("Bool")
            guard let number = (value as? NSNumber)?.doubleValue, number.isFinite, !isBoolean else {
                throw fail("'\(key)' must be a number")
            }
            return number
        }
        if let value = try number("flopsPerSecond") { profile.flopsPerSecond = value }
        if let value = try number("memoryBytes") {
            // Int(_:) traps past Int.max; a hostile 1e300 must be refused like any other bad number.
            guard let bytes = Int(exactly: value.rounded(.towardZero)) else {
                throw fail("'memoryBytes' must be at most 2^63 - 1")
            }
            profile.memoryBytes = bytes
        }
        if let value = try number("uplinkBitsPerSecond") { profile.uplinkBitsPerSecond = value }
        if let value = try number("downlinkBitsPerSecond") { profile.downlinkBitsPerSecond = value }
        if let problem = profile.problem { throw fail(problem) }
        let timeZone = try number("timeZoneHours") ?? 0
        guard (-12...14).contains(timeZone) else { throw fail("'timeZoneHours' must be in [-12, 14]") }

        guard let spans = object["availability"] as? [Any] else {
            throw fail("'availability' must be a list of [start, end] pairs in seconds")
        }
        var windows: [TimeWindow] = []
        for span in spans {
            guard let pair = span as? [Any], pair.count == 2,
                  let start = (pair[0] as? NSNumber)?.doubleValue, let end = (pair[1] as? NSNumber)?.doubleValue,
                  start >= 0, end > start, end.isFinite else {
                throw fail("each 'availability' entry must be [start, end] with 0 ≤ start < end (seconds)")
            }
            windows.append(TimeWindow(start: start, end: end))
        }
        var failures: [Double] = []
        if let list = object["failures"] {
            guard let times = list as? [Any] else { throw fail("'failures' must be a list of times in seconds") }
            for time in times {
                guard let value = (time as? NSNumber)?.doubleValue, value >= 0, value.isFinite else {
                    throw fail("'failures' must hold times ≥ 0 in seconds")
                }
                failures.append(value)
            }
        }
        return Client(id: id, profile: profile, timeZoneHours: timeZone,
                      availability: ClientAvailability(windows: windows, failures: failures))
    }

    /// The trace as JSONL text, one client a line with its class (rates that differ from the class's
    /// profile in `profiles` are written as measured rates); times to the millisecond.
    package func jsonLines(profiles: [String: DeviceProfile]) -> String {
        var text = ""
        for client in clients {
            var fields = ["\"client\": \(quoted(client.id))"]
            let base = profiles[client.profile.name]
            if base != nil { fields.append("\"class\": \(quoted(client.profile.name))") }
            if base?.flopsPerSecond != client.profile.flopsPerSecond { fields.append("\"flopsPerSecond\": \(client.profile.flopsPerSecond)") }
            if base?.memoryBytes != client.profile.memoryBytes { fields.append("\"memoryBytes\": \(client.profile.memoryBytes)") }
            if base?.uplinkBitsPerSecond != client.profile.uplinkBitsPerSecond {
                fields.append("\"uplinkBitsPerSecond\": \(client.profile.uplinkBitsPerSecond)")
            }
            if base?.downlinkBitsPerSecond != client.profile.downlinkBitsPerSecond {
                fields.append("\"downlinkBitsPerSecond\": \(client.profile.downlinkBitsPerSecond)")
            }
            fields.append("\"timeZoneHours\": \(millis(client.timeZoneHours))")
            let spans = client.availability.windows.map { "[\(millis($0.start)), \(millis($0.end))]" }
            fields.append("\"availability\": [\(spans.joined(separator: ", "))]")
            if !client.availability.failures.isEmpty {
                fields.append("\"failures\": [\(client.availability.failures.map(millis).joined(separator: ", "))]")
            }
            text += "{" + fields.joined(separator: ", ") + "}\n"
        }
        return text
    }

    private func quoted(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: text, options: .fragmentsAllowed)
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
    }

    private func millis(_ value: Double) -> String {
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

/// A device profile, trace or fleet that cannot be used: the file, the line if any, and what is wrong.
package struct DeviceError: Error, Equatable, CustomStringConvertible {
    package var file: String
    package var line: Int?
    package var message: String

    package init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    package var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}
