/// Writes realistic diurnal device traces: each client gets a class (by the mix's weights), a time zone,
/// and its class's daily availability pattern drawn day by day (overnight charging windows, heavy-tailed
/// daytime sessions, failures), exactly as a fleet built from the same mix and seed would see it.
///
/// So a generated trace replays the same clients a `devices.classes` scenario simulates, frozen into a
/// file that can be edited, inspected, or replaced by a measured one.
package enum TraceGenerator {
    /// A trace of `clients` clients over `days` days from `mix`, deterministic in `seed`.
    package static func generate(mix: DeviceMix, clients: Int, days: Int, seed: UInt64) -> DeviceTrace {
        let fleet = DeviceFleet(source: .mix(mix), clientCount: clients, seed: seed)
        let end = Double(days) * 86_400
        var traced: [DeviceTrace.Client] = []
        traced.reserveCapacity(clients)
        let width = String(clients - 1).count
        for client in 0..<clients {
            let profile = fleet.profile(of: client)
            var windows: [TimeWindow] = [], failures: [Double] = []
            for day in -1...days {
                let drawn = profile.availability.day(day, client: client, timeZoneHours: fleet.timeZone(of: client), seed: seed)
                windows += drawn.windows
                failures += drawn.failures
            }
            // Clip to the trace's span; keep only the failures that can interrupt a task (inside a window).
            let clipped = ClientAvailability(windows: windows.compactMap { window in
                let start = max(0, window.start), end = min(end, window.end)
                return end > start ? TimeWindow(start: start, end: end) : nil
            })
            let inside = failures.filter { time in clipped.windows.contains { $0.contains(time) } }
            let id = "c" + String(repeating: "0", count: max(0, width - String(client).count)) + String(client)
            traced.append(DeviceTrace.Client(id: id, profile: profile, timeZoneHours: fleet.timeZone(of: client),
                                             availability: ClientAvailability(windows: clipped.windows, failures: inside)))
        }
        return DeviceTrace(clients: traced)
    }
}
