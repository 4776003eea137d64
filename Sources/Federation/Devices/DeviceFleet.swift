import Kernels

/// Device classes in stated proportions, for a population without a trace: each client's class and
/// time zone are drawn once, its availability day by day from its class's pattern.
package struct DeviceMix: Sendable, Equatable, Codable {
    package var profiles: [DeviceProfile]
    /// One weight per profile (positive; normalised when drawing).
    package var weights: [Double]
    /// UTC offsets in hours that clients are spread over uniformly.
    package var timeZoneHours: [Double]

    /// Offsets of the populous regions, west to east (Americas, Europe and Africa, South and East Asia):
    /// a fleet spread over them is never all asleep at once.
    package static let worldTimeZones: [Double] = [-8, -6, -5, -3, 0, 1, 2, 3, 5.5, 7, 8, 9]

    package init(profiles: [DeviceProfile], weights: [Double], timeZoneHours: [Double] = DeviceMix.worldTimeZones) {
        precondition(profiles.count == weights.count && !profiles.isEmpty, "DeviceMix: one weight per profile")
        self.profiles = profiles
        self.weights = weights
        self.timeZoneHours = timeZoneHours
    }
}

/// The devices of a run's clients and when each is available: from a mix of classes (client `i` is
/// population user `i`) or from a trace (trace client `i` holds population user `i`'s data).
///
/// Everything is a function of (seed, client, day), so a fleet answers the same at any round, on any
/// number of threads and after a resume. Used by one thread (the server's), between rounds.
package final class DeviceFleet {
    package enum Source: Sendable, Equatable {
        case mix(DeviceMix)
        case trace(DeviceTrace)
    }

    package let source: Source
    package let seed: UInt64
    /// How many clients the fleet has (the population, or the trace's clients).
    package let clientCount: Int
    /// Each class's profile, and each client's class index and time zone.
    package let profiles: [DeviceProfile]
    private let classIndex: [Int32]
    private let timeZones: [Double]
    /// Windows and failures of a mix's clients by the UTC day they were drawn for (a few days kept).
    private var days: [Int: [(windows: [TimeWindow], failures: [Double])]] = [:]

    package init(source: Source, clientCount: Int, seed: UInt64) {
        self.source = source
        self.seed = seed
        switch source {
        case let .mix(mix):
            self.clientCount = clientCount
            profiles = mix.profiles
            let total = mix.weights.reduce(0, +)
            var classes = [Int32](repeating: 0, count: clientCount), zones = [Double](repeating: 0, count: clientCount)
            for client in 0..<clientCount {
                var stream = RandomStream(seed: seed, keys: [0xDE71C5, UInt64(client)])
                var draw = stream.uniformDouble() * total, index = 0
                while index < mix.weights.count - 1 && draw >= mix.weights[index] {
                    draw -= mix.weights[index]
                    index += 1
                }
                classes[client] = Int32(index)
                zones[client] = mix.timeZoneHours[stream.uniformInt(below: mix.timeZoneHours.count)]
            }
            (classIndex, timeZones) = (classes, zones)
        case let .trace(trace):
            self.clientCount = trace.clients.count
            var found: [DeviceProfile] = [], indices: [Int32] = []
            for client in trace.clients {
                if let index = found.firstIndex(of: client.profile) {
                    indices.append(Int32(index))
                } else {
                    indices.append(Int32(found.count))
                    found.append(client.profile)
                }
            }
            (profiles, classIndex, timeZones) = (found, indices, trace.clients.map(\.timeZoneHours))
        }
    }

    /// The device client `client` runs on.
    package func profile(of client: Int) -> DeviceProfile { profiles[Int(classIndex[client])] }

    /// Its UTC offset in hours.
    package func timeZone(of client: Int) -> Double { timeZones[client] }

    /// Its class name, as reports group it (measured devices of a trace are grouped by class name too).
    package func className(of client: Int) -> String { profiles[Int(classIndex[client])].name }

    /// The class names in the order reports list them: the fleet's first appearance order.
    package var classNames: [String] {
        var names: [String] = []
        for profile in profiles where !names.contains(profile.name) { names.append(profile.name) }
        return names
    }

    /// The clients available at `time`, in increasing order.
    package func availableClients(at time: Double) -> [Int] {
        switch source {
        case let .trace(trace): return (0..<clientCount).filter { trace.clients[$0].availability.isAvailable(at: time) }
        case .mix:
            // Containment needs no merging: test each drawn window of the days around `time`.
            let day = Int((time / 86_400).rounded(.down))
            let drawn = ((day - 2)...(day + 1)).map(mixDay)
            return (0..<clientCount).filter { client in
                drawn.contains { $0[client].windows.contains { $0.contains(time) } }
            }
        }
    }

    /// Client `client`'s availability near `time`: all of it for a trace; for a mix, the windows drawn
    /// for the days around `time` (enough for any task shorter than a day).
    package func availability(of client: Int, around time: Double) -> ClientAvailability {
        switch source {
        case let .trace(trace): return trace.clients[client].availability
        case .mix:
            let day = Int((time / 86_400).rounded(.down))
            var windows: [TimeWindow] = [], failures: [Double] = []
            for drawn in (day - 2)...(day + 1) {
                let entry = mixDay(drawn)[client]
                windows += entry.windows
                failures += entry.failures
            }
            return ClientAvailability(windows: windows, failures: failures)
        }
    }

    /// The first time at or after `time` when any client is available; nil when none ever is again (a
    /// trace that has ended). A mix is searched minute by minute, up to a week ahead.
    package func nextAvailableTime(atOrAfter time: Double) -> Double? {
        switch source {
        case let .trace(trace):
            return trace.clients.compactMap { $0.availability.nextAvailable(atOrAfter: time) }.min()
        case .mix:
            var probe = time
            while probe < time + 7 * 86_400 {
                if !availableClients(at: probe).isEmpty { return probe }
                probe += 60
            }
            return nil
        }
    }

    // Each client's local days are keyed so that day `day` (UTC) draws the local day starting within
    // it; a window may run a day past its start, so the days around a time cover every window over it.
    private func mixDay(_ day: Int) -> [(windows: [TimeWindow], failures: [Double])] {
        if let cached = days[day] { return cached }
        let drawn = (0..<clientCount).map { client in
            profile(of: client).availability.day(day, client: client, timeZoneHours: timeZones[client], seed: seed)
        }
        days = days.filter { $0.key >= day - 4 }  // the clock only moves forward: old days are not needed
        days[day] = drawn
        return drawn
    }
}
