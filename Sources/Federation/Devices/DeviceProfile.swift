/// A class of device a client runs on: how fast it trains, how much memory training may use, its link
/// speeds and when it is available (the files in `clients/`; every number is sourced in docs/devices.md).
package struct DeviceProfile: Sendable, Equatable, Codable {
    /// The class name reports group clients by (`mid-phone`, `watch`, …).
    package var name: String
    /// Sustained floating-point operations per second of on-device training (not the chip's peak).
    package var flopsPerSecond: Double
    /// Bytes an on-device training task may hold at its peak before the OS stops it.
    package var memoryBytes: Int
    package var uplinkBitsPerSecond: Double
    package var downlinkBitsPerSecond: Double
    /// When the device is eligible to train (idle, charging, on an unmetered network).
    package var availability: AvailabilityPattern

    package init(name: String, flopsPerSecond: Double, memoryBytes: Int, uplinkBitsPerSecond: Double,
                 downlinkBitsPerSecond: Double, availability: AvailabilityPattern) {
        self.name = name
        self.flopsPerSecond = flopsPerSecond
        self.memoryBytes = memoryBytes
        self.uplinkBitsPerSecond = uplinkBitsPerSecond
        self.downlinkBitsPerSecond = downlinkBitsPerSecond
        self.availability = availability
    }

    /// What is wrong with the profile's numbers, or nil: every rate positive, probabilities in [0, 1].
    package var problem: String? {
        if !(flopsPerSecond > 0) { return "flopsPerSecond must be positive" }
        if memoryBytes <= 0 { return "memoryBytes must be positive" }
        if !(uplinkBitsPerSecond > 0) { return "uplinkBitsPerSecond must be positive" }
        if !(downlinkBitsPerSecond > 0) { return "downlinkBitsPerSecond must be positive" }
        return availability.problem.map { "availability.\($0)" }
    }
}

/// When a device of a class is available, as a daily pattern in the device's local time: a long
/// overnight window (charging, idle, on Wi-Fi: the condition production systems train under, Bonawitz
/// et al. 2019, "Towards Federated Learning at Scale", §2) on some nights, plus short daytime sessions
/// whose lengths are log-normal, so heavy-tailed as measured availability is (Yang et al. 2021,
/// "Characterizing Impacts of Heterogeneity in Federated Learning upon Large-Scale Smartphone Data").
package struct AvailabilityPattern: Sendable, Equatable, Codable {
    /// The chance that the device is available overnight on a given night.
    package var nightProbability: Double
    /// Local hour the overnight window starts at (mean), and its length in hours (mean, at most 24).
    package var nightStartHour: Double
    package var nightHours: Double
    /// Standard deviation, in hours, of the window's start and of its length from night to night.
    package var jitterHours: Double
    /// Mean number of daytime sessions a day (Poisson), their median length in minutes, and the
    /// log-space standard deviation of that length (1 gives a heavy tail: the mean is 1.65× the median).
    package var daySessionsPerDay: Double
    package var daySessionMedianMinutes: Double
    package var daySessionSpread: Double
    /// Mean number of failures a day while available (the app killed, the network lost): a task that is
    /// running at one drops.
    package var failuresPerDay: Double

    package init(nightProbability: Double, nightStartHour: Double, nightHours: Double, jitterHours: Double,
                 daySessionsPerDay: Double, daySessionMedianMinutes: Double, daySessionSpread: Double = 1,
                 failuresPerDay: Double) {
        self.nightProbability = nightProbability
        self.nightStartHour = nightStartHour
        self.nightHours = nightHours
        self.jitterHours = jitterHours
        self.daySessionsPerDay = daySessionsPerDay
        self.daySessionMedianMinutes = daySessionMedianMinutes
        self.daySessionSpread = daySessionSpread
        self.failuresPerDay = failuresPerDay
    }

    var problem: String? {
        if !(0...1).contains(nightProbability) { return "nightProbability must be in [0, 1]" }
        if !(0..<24).contains(nightStartHour) { return "nightStartHour must be in [0, 24)" }
        if !(nightHours > 0 && nightHours <= 24) { return "nightHours must be in (0, 24]" }
        if !(jitterHours >= 0 && jitterHours <= 6) { return "jitterHours must be in [0, 6]" }
        if !(daySessionsPerDay >= 0 && daySessionsPerDay <= 48) { return "daySessionsPerDay must be in [0, 48]" }
        if !(daySessionMedianMinutes > 0 && daySessionMedianMinutes <= 720) { return "daySessionMedianMinutes must be in (0, 720]" }
        if !(daySessionSpread >= 0 && daySessionSpread <= 3) { return "daySessionSpread must be in [0, 3]" }
        if !(failuresPerDay >= 0 && failuresPerDay <= 100) { return "failuresPerDay must be in [0, 100]" }
        return nil
    }
}
