import Federation
import Foundation
import Testing

/// Traces and profiles: what is written reads back, mistakes are pinned to their line, the committed
/// files agree with the built-in profiles, and generated availability is deterministic.
@Suite struct DeviceTraceTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("trace-\(UUID().uuidString).jsonl").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aGeneratedTraceReadsBackAsWritten() throws {
        let mix = DeviceMix(profiles: DeviceProfiles.standard, weights: [1, 1, 1, 1, 1, 1])
        let trace = TraceGenerator.generate(mix: mix, clients: 60, days: 2, seed: 4)
        let text = trace.jsonLines(profiles: DeviceProfiles.standardByName)
        let read = try DeviceTrace(contentsOf: try Self.write(text), profiles: DeviceProfiles.standardByName)
        #expect(read.clients.map(\.id) == trace.clients.map(\.id))
        #expect(read.clients.map(\.profile) == trace.clients.map(\.profile))
        #expect(read.jsonLines(profiles: DeviceProfiles.standardByName) == text)  // millisecond times are stable
        #expect(TraceGenerator.generate(mix: mix, clients: 60, days: 2, seed: 4) == trace)
        #expect(TraceGenerator.generate(mix: mix, clients: 60, days: 2, seed: 5) != trace)
        #expect(trace.durationSeconds <= 2 * 86_400)
        // Windows are what a fleet from the same mix and seed sees (away from the trace's clipped edges).
        let fleet = DeviceFleet(source: .mix(mix), clientCount: 60, seed: 4)
        for time in stride(from: 3600.0, to: 170_000, by: 7919) {
            #expect(fleet.availableClients(at: time) == (0..<60).filter { trace.clients[$0].availability.isAvailable(at: time) })
        }
    }

    @Test func measuredRatesOverrideTheClassAndStandAlone() throws {
        let path = try Self.write("""
            {"client": "a", "class": "watch", "uplinkBitsPerSecond": 250000, "availability": [[0, 10]]}
            {"client": "b", "flopsPerSecond": 1e9, "memoryBytes": 1000000, "uplinkBitsPerSecond": 1e6, "downlinkBitsPerSecond": 2e6, "availability": []}
            """)
        let trace = try DeviceTrace(contentsOf: path, profiles: DeviceProfiles.standardByName)
        #expect(trace.clients[0].profile.uplinkBitsPerSecond == 250_000 && trace.clients[0].profile.memoryBytes == 48 << 20)
        #expect(trace.clients[1].profile.name == "measured" && trace.clients[1].profile.memoryBytes == 1_000_000)
    }

    @Test(arguments: [
        (#"{"client": "a", "class": "watch", "availability": [[0, 10]], "colour": 1}"#,
         ":1: unknown key 'colour' (allowed: availability, class, client, downlinkBitsPerSecond, failures, flopsPerSecond, memoryBytes, timeZoneHours, uplinkBitsPerSecond)"),
        (#"{"client": "a", "class": "fridge", "availability": []}"#,
         ":1: 'class' must be one of high-end-phone, laptop, low-end-phone, mid-phone, smart-speaker, watch"),
        (#"{"client": "a", "class": "watch", "availability": [[10, 5]]}"#,
         ":1: each 'availability' entry must be [start, end] with 0 ≤ start < end (seconds)"),
        (#"{"client": "a", "class": "watch"}"#, ":1: 'availability' must be a list of [start, end] pairs in seconds"),
        (#"{"client": "a", "availability": []}"#,
         ":1: give a 'class', or all of flopsPerSecond, memoryBytes, uplinkBitsPerSecond, downlinkBitsPerSecond"),
        ("{\"client\": \"a\", \"class\": \"watch\", \"availability\": []}\n{\"client\": \"a\", \"class\": \"watch\", \"availability\": []}",
         ":2: client 'a' appears twice"),
        (#"{"client": "a", "class": "watch", "timeZoneHours": true, "availability": []}"#, ":1: 'timeZoneHours' must be a number"),
        (#"{"client": "a", "class": "watch", "memoryBytes": -3, "availability": []}"#, ":1: memoryBytes must be positive"),
        // Found by fuzzing (docs/reliability.md; Fuzz/Corpus/trace/crash-memory-bytes-past-int-max.jsonl):
        // a finite number past Int.max trapped in Int(_:).
        (#"{"client": "a", "class": "watch", "memoryBytes": 3009223372036854775807000000, "availability": []}"#,
         ":1: 'memoryBytes' must be at most 2^63 - 1"),
        (#"{"client": "a", "class": "watch", "memoryBytes": 1e300, "availability": []}"#, ":1: 'memoryBytes' must be at most 2^63 - 1"),
        ("not json", ":1: not a JSON object"),
    ])
    func mistakesArePinnedToTheirLine(line: String, message: String) throws {
        let path = try Self.write(line)
        #expect(throws: DeviceError(file: path, line: Int(message.dropFirst().prefix { $0 != ":" }),
                                    message: String(message.drop { $0 != " " }.dropFirst()))) {
            try DeviceTrace(contentsOf: path, profiles: DeviceProfiles.standardByName)
        }
    }

    @Test func theCommittedProfilesAreTheBuiltInOnes() throws {
        for profile in DeviceProfiles.standard {
            let path = Self.repository.appendingPathComponent("clients/\(profile.name).json").path
            #expect(try DeviceProfiles.read(contentsOf: path) == profile, "\(profile.name)")
        }
        let sample = Self.repository.appendingPathComponent("clients/traces/sample.jsonl").path
        #expect(try DeviceTrace(contentsOf: sample, profiles: DeviceProfiles.standardByName).clients.count == 1000)
    }

    @Test func aProfileWithAMisspeltKeyIsRefused() throws {
        let path = try Self.write(String(decoding: DeviceProfiles.json(DeviceProfiles.standard[1]), as: UTF8.self)
            .replacingOccurrences(of: "\"failuresPerDay\"", with: "\"failuresPerDya\""))
        #expect(throws: DeviceError.self) { try DeviceProfiles.read(contentsOf: path) }
    }

    @Test func availabilityAnswersFromMergedWindows() {
        let availability = ClientAvailability(windows: [TimeWindow(start: 50, end: 80), TimeWindow(start: 0, end: 10),
                                                        TimeWindow(start: 70, end: 100)], failures: [90, 5])
        #expect(availability.windows == [TimeWindow(start: 0, end: 10), TimeWindow(start: 50, end: 100)])
        #expect(availability.isAvailable(at: 0) && !availability.isAvailable(at: 10) && availability.isAvailable(at: 99.9))
        #expect(availability.interruption(after: 1) == 5 && availability.interruption(after: 6) == 10)
        #expect(availability.interruption(after: 60) == 90 && availability.interruption(after: 95) == 100)
        #expect(availability.interruption(after: 20) == nil)
        #expect(availability.nextAvailable(atOrAfter: 20) == 50 && availability.nextAvailable(atOrAfter: 100) == nil)
    }
}
