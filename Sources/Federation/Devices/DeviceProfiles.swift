import Foundation

/// The standard device classes (the same numbers as the files in `clients/`, which a test keeps equal)
/// and the reading of profile files.
///
/// Rates are sustained on-device training throughput and typical links, not peaks; docs/devices.md
/// gives each number's source and the reasoning from it.
package enum DeviceProfiles {
    private static let mebibyte = 1 << 20

    package static let standard: [DeviceProfile] = [
        DeviceProfile(name: "low-end-phone", flopsPerSecond: 2e9, memoryBytes: 256 * mebibyte,
                      uplinkBitsPerSecond: 2e6, downlinkBitsPerSecond: 10e6,
                      availability: AvailabilityPattern(nightProbability: 0.6, nightStartHour: 23, nightHours: 7,
                                                        jitterHours: 1, daySessionsPerDay: 1.5, daySessionMedianMinutes: 20,
                                                        failuresPerDay: 1)),
        DeviceProfile(name: "mid-phone", flopsPerSecond: 10e9, memoryBytes: 512 * mebibyte,
                      uplinkBitsPerSecond: 8e6, downlinkBitsPerSecond: 40e6,
                      availability: AvailabilityPattern(nightProbability: 0.7, nightStartHour: 23, nightHours: 7,
                                                        jitterHours: 1, daySessionsPerDay: 2, daySessionMedianMinutes: 25,
                                                        failuresPerDay: 0.5)),
        DeviceProfile(name: "high-end-phone", flopsPerSecond: 40e9, memoryBytes: 1024 * mebibyte,
                      uplinkBitsPerSecond: 20e6, downlinkBitsPerSecond: 100e6,
                      availability: AvailabilityPattern(nightProbability: 0.75, nightStartHour: 23, nightHours: 7.5,
                                                        jitterHours: 1, daySessionsPerDay: 2, daySessionMedianMinutes: 30,
                                                        failuresPerDay: 0.3)),
        DeviceProfile(name: "watch", flopsPerSecond: 0.5e9, memoryBytes: 48 * mebibyte,
                      uplinkBitsPerSecond: 1e6, downlinkBitsPerSecond: 4e6,
                      availability: AvailabilityPattern(nightProbability: 0.8, nightStartHour: 22.5, nightHours: 7.5,
                                                        jitterHours: 0.75, daySessionsPerDay: 0, daySessionMedianMinutes: 10,
                                                        failuresPerDay: 0.5)),
        DeviceProfile(name: "smart-speaker", flopsPerSecond: 2e9, memoryBytes: 128 * mebibyte,
                      uplinkBitsPerSecond: 10e6, downlinkBitsPerSecond: 50e6,
                      availability: AvailabilityPattern(nightProbability: 0.95, nightStartHour: 0, nightHours: 20,
                                                        jitterHours: 2, daySessionsPerDay: 2, daySessionMedianMinutes: 60,
                                                        failuresPerDay: 0.2)),
        DeviceProfile(name: "laptop", flopsPerSecond: 100e9, memoryBytes: 2048 * mebibyte,
                      uplinkBitsPerSecond: 20e6, downlinkBitsPerSecond: 100e6,
                      availability: AvailabilityPattern(nightProbability: 0.3, nightStartHour: 23, nightHours: 8,
                                                        jitterHours: 1.5, daySessionsPerDay: 2, daySessionMedianMinutes: 90,
                                                        failuresPerDay: 0.3)),
    ]

    /// The standard profiles by name.
    package static var standardByName: [String: DeviceProfile] {
        Dictionary(uniqueKeysWithValues: standard.map { ($0.name, $0) })
    }

    /// A profile from its JSON file (the format of `clients/*.json`), checked key by key.
    package static func read(contentsOf path: String) throws(DeviceError) -> DeviceProfile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DeviceError(file: path, line: nil, message: FileManager.default.fileExists(atPath: path)
                ? "cannot be read" : "no such device profile (profiles are JSON files, e.g. clients/mid-phone.json)")
        }
        let profile: DeviceProfile
        do {
            profile = try JSONDecoder().decode(DeviceProfile.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw DeviceError(file: path, line: nil, message: "missing key '\(keyPath(context.codingPath + [key]))'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw DeviceError(file: path, line: nil, message: "'\(keyPath(context.codingPath))' has the wrong type")
        } catch {
            throw DeviceError(file: path, line: nil, message: "not a device profile (see docs/formats.md)")
        }
        // The decoder ignores unknown keys; a misspelt one must not silently fall back to a default.
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let allowed: Set = ["name", "flopsPerSecond", "memoryBytes", "uplinkBitsPerSecond", "downlinkBitsPerSecond", "availability"]
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw DeviceError(file: path, line: nil, message: "unknown key '\(unknown)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        let pattern = object["availability"] as? [String: Any] ?? [:]
        let patternKeys: Set = ["nightProbability", "nightStartHour", "nightHours", "jitterHours", "daySessionsPerDay",
                                "daySessionMedianMinutes", "daySessionSpread", "failuresPerDay"]
        if let unknown = pattern.keys.sorted().first(where: { !patternKeys.contains($0) }) {
            throw DeviceError(file: path, line: nil, message: "unknown key 'availability.\(unknown)' (allowed: "
                + patternKeys.sorted().joined(separator: ", ") + ")")
        }
        if let problem = profile.problem { throw DeviceError(file: path, line: nil, message: problem) }
        return profile
    }

    /// The profile as its JSON file is written (keys sorted, pretty-printed).
    package static func json(_ profile: DeviceProfile) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return ((try? encoder.encode(profile)) ?? Data()) + Data("\n".utf8)
    }

    private static func keyPath(_ path: [any CodingKey]) -> String { path.map(\.stringValue).joined(separator: ".") }
}
