import Foundation
import Learning

/// How the server runs a round in simulated time: what a scenario's `devices` section sets besides the
/// fleet (the round structure of Bonawitz et al. 2019, "Towards Federated Learning at Scale", §2.2).
package struct DeviceSimulation: Sendable, Equatable, Codable {
    /// Clients selected per reporting slot: the server selects ⌈overSelection · cohortSize⌉ and keeps
    /// the first cohortSize reports (Bonawitz et al. select 130%).
    package var overSelection = 1.3
    /// Seconds a selected client has, from the start of its task, to report; later ones are dropped.
    package var deadlineSeconds = 600.0
    /// Seconds the server spends collecting check-ins and configuring the round before tasks start.
    package var selectionSeconds = 60.0

    package init() {}
}

/// What became of one selected client in a round.
package enum ClientFate: String, Sendable, Equatable, Codable {
    /// Reported in time and was among the first cohortSize: its update is aggregated.
    case reported
    /// Would have reported in time, but the cohort was full by then (a straggler the round did not wait for).
    case late
    /// Could not finish before the deadline.
    case droppedForTime
    /// Its task does not fit in the device's memory: refused before downloading anything.
    case droppedForMemory
    /// Went offline or failed (from the trace or pattern) before it finished.
    case droppedForAvailability
}

/// One round's plan in simulated time: who was available, who was selected, and each selected client's
/// fate, decided from the computed task costs before anyone trains (costs depend only on the model's
/// shape and the client's data, so training need not run to know them).
package struct RoundSchedule: Sendable, Equatable {
    /// When the round opened, when tasks started (after selection) and when it closed.
    package var openSeconds: Double
    package var startSeconds: Double
    package var endSeconds: Double
    /// Clients available when tasks started (the pool the cohort was drawn from).
    package var availableCount: Int
    /// The selected clients (user indices, increasing), each one's fate, class and task cost.
    package var selected: [Int]
    package var fates: [ClientFate]
    package var classNames: [String]
    package var costs: [ClientTaskCost]
    /// Seconds each selected client's task would take on its device (download + compute + upload).
    package var taskSeconds: [Double]
    /// Training targets (tokens, characters) of each selected client's data, for the classes' share of the model's data.
    package var targets: [Int]

    /// Plans the round that opens at `openSeconds`.
    ///
    /// The server waits (the clock moves on) until some client is available; selects ⌈overSelection ·
    /// target⌉ of the available uniformly from a stream keyed by (seed, round); and closes the round at
    /// the target-th report, or at the deadline, or as soon as every selected client has reported or
    /// dropped, whichever comes first.
    ///
    /// - Parameter eligible: whether an available client may be selected (a participation cap; default all).
    /// - Parameter cost: a selected client's task cost, from its user index (and data).
    /// - Throws: `SimulationError.traceEnded` if no client is ever available again.
    package static func plan(round: Int, openSeconds: Double, target: Int, simulation: DeviceSimulation,
                             fleet: DeviceFleet, seed: UInt64, eligible: (Int) -> Bool = { _ in true },
                             cost: (Int) throws -> (cost: ClientTaskCost, targets: Int)) throws -> RoundSchedule {
        var start = openSeconds + simulation.selectionSeconds
        var available = fleet.availableClients(at: start).filter(eligible)
        if available.isEmpty {
            guard let next = fleet.nextAvailableTime(atOrAfter: start) else { throw SimulationError.traceEnded(atSeconds: start) }
            start = next
            available = fleet.availableClients(at: start).filter(eligible)
        }
        let goal = Int((simulation.overSelection * Double(target)).rounded(.up))
        let picks = CohortSampling.fixedSize(goal).cohort(round: round, population: available.count, seed: seed)
        let selected = picks.map { available[$0] }
        var schedule = RoundSchedule(openSeconds: openSeconds, startSeconds: start, endSeconds: start,
                                     availableCount: available.count, selected: selected, fates: [], classNames: [],
                                     costs: [], taskSeconds: [], targets: [])
        let deadline = start + simulation.deadlineSeconds
        var finishes: [(time: Double, position: Int)] = []
        var lastDropBeforeDeadline = start, someoneRunsToDeadline = false
        for (position, client) in selected.enumerated() {
            let device = fleet.profile(of: client)
            let (task, targets) = try cost(client)
            let seconds = task.seconds(on: device).total
            schedule.classNames.append(device.name)
            schedule.costs.append(task)
            schedule.taskSeconds.append(seconds)
            schedule.targets.append(targets)
            let fate: ClientFate
            let finish = start + seconds
            let cutOff = fleet.availability(of: client, around: start).interruption(after: start) ?? start
            if !task.fits(on: device) {
                fate = .droppedForMemory
            } else if cutOff < min(finish, deadline) {
                fate = .droppedForAvailability
                lastDropBeforeDeadline = max(lastDropBeforeDeadline, cutOff)
            } else if finish > deadline {
                fate = .droppedForTime
                someoneRunsToDeadline = true
            } else {
                fate = .reported
                finishes.append((finish, position))
            }
            schedule.fates.append(fate)
        }
        finishes.sort { ($0.time, $0.position) < ($1.time, $1.position) }
        for late in finishes.dropFirst(target) { schedule.fates[late.position] = .late }
        if finishes.count >= target {
            schedule.endSeconds = finishes[target - 1].time
        } else if someoneRunsToDeadline {
            schedule.endSeconds = deadline
        } else {
            schedule.endSeconds = max(finishes.last?.time ?? start, lastDropBeforeDeadline)
        }
        return schedule
    }

    /// Positions (in `selected`) whose updates are aggregated.
    package var reportingPositions: [Int] { fates.indices.filter { fates[$0] == .reported } }
}

/// Simulated time could not go on.
package enum SimulationError: Error, Equatable, CustomStringConvertible {
    /// No client of the trace is available at or after this time.
    case traceEnded(atSeconds: Double)

    package var description: String {
        switch self {
        case let .traceEnded(seconds):
            "the trace has no client available at or after \(Int(seconds)) s (\(String(format: "%.1f", seconds / 3600)) h): "
                + "it ended; use a longer trace or fewer rounds"
        }
    }
}
