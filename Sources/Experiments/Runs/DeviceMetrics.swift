import Federation

/// What one device class did in one round, or over a run: the per-class lines of `metrics.jsonl` and
/// `summary.json`, which make a bias toward fast or always-available devices visible.
package struct DeviceClassCounts: Sendable, Equatable, Codable {
    package var selected = 0
    /// Reported in time and aggregated.
    package var reported = 0
    /// In time, but after the cohort was full.
    package var late = 0
    package var droppedForTime = 0
    package var droppedForMemory = 0
    package var droppedForAvailability = 0
    /// Training targets (tokens, characters) of the reported clients: the class's contribution to the
    /// model's data.
    package var trainingTargets = 0
    package var bytesDown = 0
    package var bytesUp = 0

    package init() {}

    mutating func add(_ other: DeviceClassCounts) {
        selected += other.selected
        reported += other.reported
        late += other.late
        droppedForTime += other.droppedForTime
        droppedForMemory += other.droppedForMemory
        droppedForAvailability += other.droppedForAvailability
        trainingTargets += other.trainingTargets
        bytesDown += other.bytesDown
        bytesUp += other.bytesUp
    }

    /// Each class's counts in a round's schedule.
    static func byClass(_ schedule: RoundSchedule) -> [String: DeviceClassCounts] {
        var classes: [String: DeviceClassCounts] = [:]
        for position in schedule.selected.indices {
            var counts = classes[schedule.classNames[position], default: DeviceClassCounts()]
            counts.selected += 1
            let cost = schedule.costs[position]
            switch schedule.fates[position] {
            case .reported:
                counts.reported += 1
                counts.trainingTargets += schedule.targets[position]
                counts.bytesUp += cost.bytesUp
            case .late: counts.late += 1
            case .droppedForTime: counts.droppedForTime += 1
            case .droppedForMemory: counts.droppedForMemory += 1
            case .droppedForAvailability: counts.droppedForAvailability += 1
            }
            if schedule.fates[position] != .droppedForMemory { counts.bytesDown += cost.bytesDown }
            classes[schedule.classNames[position]] = counts
        }
        return classes
    }
}

/// Median, 95th percentile and maximum of a per-client quantity over a round's selected clients
/// (nearest-rank percentiles, so every value is one a client had).
package struct ClientDistribution: Sendable, Equatable, Codable {
    package var median: Double
    package var p95: Double
    package var max: Double

    init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        func rank(_ fraction: Double) -> Double { sorted[Swift.max(0, Int((fraction * Double(sorted.count)).rounded(.up)) - 1)] }
        (median, p95, max) = (rank(0.5), rank(0.95), sorted[sorted.count - 1])
    }
}

/// The devices part of a round's metrics line.
package struct DeviceRoundMetrics: Sendable, Equatable, Codable {
    /// Seconds from the round's opening to its close, and the clients available when its tasks started.
    package var roundSimulatedSeconds: Double
    package var clientsAvailable: Int
    package var classes: [String: DeviceClassCounts]
    /// Over the selected clients: peak training memory (bytes) and task duration on their device (seconds).
    package var clientPeakMemoryBytes: ClientDistribution?
    package var clientTaskSeconds: ClientDistribution?

    init(_ schedule: RoundSchedule) {
        roundSimulatedSeconds = schedule.endSeconds - schedule.openSeconds
        clientsAvailable = schedule.availableCount
        classes = DeviceClassCounts.byClass(schedule)
        clientPeakMemoryBytes = ClientDistribution(schedule.costs.map { Double($0.peakMemoryBytes) })
        clientTaskSeconds = ClientDistribution(schedule.taskSeconds)
    }
}

/// The devices part of `summary.json`: simulated time and each class's participation over the run.
package struct DeviceSummary: Sendable, Equatable, Codable {
    /// Per class: the fleet's clients of that class, the run's totals, and the class's share of the
    /// fleet against its share of the training data the model saw.
    package struct ClassSummary: Sendable, Equatable, Codable {
        package var fleetClients: Int
        package var fleetShare: Double
        package var totals: DeviceClassCounts
        package var shareOfTrainingData: Double
    }

    package var simulatedSeconds: Double
    package var meanRoundSimulatedSeconds: Double
    package var classes: [String: ClassSummary]
    /// The largest peak memory of any selected client's task.
    package var maxClientPeakMemoryBytes: Double?

    /// The summary of `lines` (a run's metrics) on `fleet`.
    init(lines: [RoundMetrics], fleetClasses: [String: Int]) {
        let rounds = lines.filter { $0.devices != nil }
        simulatedSeconds = rounds.last?.simulatedSeconds ?? 0
        meanRoundSimulatedSeconds = rounds.isEmpty ? 0
            : rounds.reduce(0) { $0 + $1.devices!.roundSimulatedSeconds } / Double(rounds.count)
        var totals: [String: DeviceClassCounts] = [:]
        for line in rounds {
            for (name, counts) in line.devices!.classes { totals[name, default: DeviceClassCounts()].add(counts) }
        }
        let fleetSize = max(1, fleetClasses.values.reduce(0, +))
        let targets = max(1, totals.values.reduce(0) { $0 + $1.trainingTargets })
        classes = [:]
        for name in Set(fleetClasses.keys).union(totals.keys) {
            let total = totals[name] ?? DeviceClassCounts()
            classes[name] = ClassSummary(fleetClients: fleetClasses[name] ?? 0,
                                         fleetShare: Double(fleetClasses[name] ?? 0) / Double(fleetSize), totals: total,
                                         shareOfTrainingData: Double(total.trainingTargets) / Double(targets))
        }
        maxClientPeakMemoryBytes = rounds.compactMap { $0.devices!.clientPeakMemoryBytes?.max }.max()
    }
}

/// When the run first reached its target value of a metric (on an evaluation round).
package struct TimeToTarget: Sendable, Equatable, Codable {
    /// The metric and the value to reach (at most it, or at least it when higher is better).
    package var metric: String
    package var target: Double
    /// Nil when the run never reached it.
    package var round: Int?
    package var simulatedHours: Double?
    package var wallSeconds: Double?

    init(_ target: EvaluationTarget, lines: [RoundMetrics]) {
        metric = target.metric.name
        self.target = target.value
        var wall = 0.0
        for line in lines {
            wall += line.wallSeconds
            if let value = line.metric(metric), target.metric.reaches(value, target: target.value), line.round > 0 {
                round = line.round
                simulatedHours = line.simulatedSeconds.map { $0 / 3600 }
                wallSeconds = wall
                return
            }
        }
    }
}
