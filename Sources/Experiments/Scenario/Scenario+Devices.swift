import Federation
import Foundation

/// The scenario's `devices` section: which device fleet the clients run on and how rounds run in
/// simulated time (docs/devices.md).
extension Scenario {
    /// Where the fleet comes from, before the population it covers is known.
    package enum FleetSpecification: Sendable, Equatable {
        case mix(DeviceMix)
        case trace(DeviceTrace, path: String)
    }

    /// The classes a scenario gets when it names none: a phone-heavy fleet with some of everything.
    static let defaultMix: [(String, Double)] = [
        ("low-end-phone", 0.25), ("mid-phone", 0.35), ("high-end-phone", 0.2), ("watch", 0.05),
        ("smart-speaker", 0.05), ("laptop", 0.1),
    ]

    static func readDevices(_ r: ScenarioReader, baseFolder: URL, sampling: CohortSampling,
                            population: Int?) throws(ScenarioError) -> (DeviceSimulation, FleetSpecification) {
        guard case let .fixedSize(cohortSize) = sampling else {
            throw ScenarioError(file: r.file, keyPath: r.path, message: "needs clients.sampling fixed: with devices the server selects a fixed number of the "
                + "clients available, and keeps the first clients.cohortSize reports")
        }
        var simulation = DeviceSimulation()
        simulation.overSelection = try r.number("overSelection", default: 1.3, in: 1...10)
        simulation.deadlineSeconds = try r.number("deadlineSeconds", default: 600, in: 0...86_400, excludingLowerBound: true)
        simulation.selectionSeconds = try r.number("selectionSeconds", default: 60, in: 0...86_400)
        let fleet: FleetSpecification
        if let path = try r.string("trace", default: nil) {
            if r.contains("classes") || r.contains("timeZones") {
                throw r.error("trace", "a trace gives each client's class and time zone: drop devices.classes and devices.timeZones")
            }
            let resolved = path.hasPrefix("/") ? path : baseFolder.appendingPathComponent(path).path
            let trace: DeviceTrace
            do { trace = try DeviceTrace(contentsOf: resolved, profiles: DeviceProfiles.standardByName) } catch {
                throw r.error("trace", error.description)
            }
            if let population, trace.clients.count > population {
                throw r.error("trace", "\(resolved) has \(trace.clients.count) clients, more than the population "
                    + "(data.users = \(population)); trace client i holds user i's data")
            }
            if trace.clients.count < cohortSize {
                throw r.error("trace", "\(resolved) has \(trace.clients.count) clients, fewer than clients.cohortSize (\(cohortSize))")
            }
            fleet = .trace(trace, path: resolved)
        } else {
            fleet = .mix(try readMix(r, baseFolder: baseFolder))
        }
        try r.finish()
        return (simulation, fleet)
    }

    private static func readMix(_ r: ScenarioReader, baseFolder: URL) throws(ScenarioError) -> DeviceMix {
        var entries: [(String, Double)] = defaultMix
        if let raw = r.json("classes") {
            guard let object = raw as? [String: Any], !object.isEmpty else {
                throw r.error("classes", "must be an object of class names (or profile files) to weights, e.g. "
                    + "{\"mid-phone\": 0.7, \"watch\": 0.3}")
            }
            entries = []
            for name in object.keys.sorted() {
                guard let weight = (object[name] as? NSNumber)?.doubleValue, weight > 0, weight.isFinite else {
                    throw r.error("classes.\(name)", "must be a positive weight")
                }
                entries.append((name, weight))
            }
        } else {
            r.resolve("classes", as: Dictionary(uniqueKeysWithValues: defaultMix))
        }
        var profiles: [DeviceProfile] = []
        for (name, _) in entries {
            do { profiles.append(try deviceProfile(named: name, baseFolder: baseFolder)) } catch {
                throw r.error("classes.\(name)", error.file == name ? error.message : error.description)
            }
        }
        var zones = DeviceMix.worldTimeZones
        if let raw = r.json("timeZones") {
            guard let list = raw as? [Any], !list.isEmpty else {
                throw r.error("timeZones", "must be a non-empty list of UTC offsets in hours, e.g. [-5, 0, 8]")
            }
            zones = []
            for item in list {
                guard let hours = (item as? NSNumber)?.doubleValue, (-12...14).contains(hours) else {
                    throw r.error("timeZones", "must hold UTC offsets in hours within [-12, 14]")
                }
                zones.append(hours)
            }
        } else {
            r.resolve("timeZones", as: zones)
        }
        return DeviceMix(profiles: profiles, weights: entries.map(\.1), timeZoneHours: zones)
    }

    /// The default mix as `name=weight,…` (the form `murmur data trace --classes` takes).
    package static let defaultMixText = defaultMix.map { "\($0.0)=\($0.1)" }.joined(separator: ",")

    /// A standard class by name, or a profile file (a name ending in .json, relative to `baseFolder`).
    package static func deviceProfile(named name: String, baseFolder: URL) throws(DeviceError) -> DeviceProfile {
        let standard = DeviceProfiles.standardByName
        if let known = standard[name] { return known }
        guard name.hasSuffix(".json") else {
            let hint = suggestion(for: name, among: Array(standard.keys)).map { "did you mean '\($0)'? " } ?? ""
            throw DeviceError(file: name, line: nil, message: "\(hint)not a standard class "
                + "(\(standard.keys.sorted().joined(separator: ", "))) nor a profile file ending in .json")
        }
        return try DeviceProfiles.read(contentsOf: name.hasPrefix("/") ? name : baseFolder.appendingPathComponent(name).path)
    }

    /// A mix from `name=weight,…` text (names as in `deviceProfile(named:)`, relative to the working folder).
    package static func deviceMix(classes text: String, timeZoneHours: [Double]) throws(DeviceError) -> DeviceMix {
        var profiles: [DeviceProfile] = [], weights: [Double] = []
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let weight = Double(parts[1]), weight > 0, weight.isFinite else {
                throw DeviceError(file: "--classes", line: nil, message: "'\(entry)' must look like name=weight with a positive weight")
            }
            profiles.append(try deviceProfile(named: parts[0], baseFolder: here))
            weights.append(weight)
        }
        guard !profiles.isEmpty else { throw DeviceError(file: "--classes", line: nil, message: "names no class") }
        return DeviceMix(profiles: profiles, weights: weights, timeZoneHours: timeZoneHours)
    }

    /// The run's device fleet over `population` users (nil without a `devices` section).
    package func makeFleet(population: Int) throws(ScenarioError) -> DeviceFleet? {
        switch fleetSpecification {
        case nil: return nil
        case let .mix(mix)?: return DeviceFleet(source: .mix(mix), clientCount: population, seed: training.seed)
        case let .trace(trace, path)?:
            guard trace.clients.count <= population else {
                throw ScenarioError(file: file, keyPath: "devices.trace", message: "\(path) has \(trace.clients.count) "
                    + "clients, more than the population's \(population) users; trace client i holds user i's data")
            }
            return DeviceFleet(source: .trace(trace), clientCount: trace.clients.count, seed: training.seed)
        }
    }
}
