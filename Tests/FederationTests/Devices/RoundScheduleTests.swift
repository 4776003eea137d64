import Federation
import Learning
import Tasks
import Testing

/// Rounds in simulated time on hand-made fleets whose every availability window, speed and memory is
/// known, so each round's participants, drops and clock can be worked out by hand.
@Suite struct RoundScheduleTests {
    /// A device whose tasks of `taskFLOPs` take exactly `seconds` (nothing to send or receive).
    static func device(_ name: String, seconds: Double = 15, memoryBytes: Int = 1 << 30) -> DeviceProfile {
        DeviceProfile(name: name, flopsPerSecond: taskFLOPs / seconds, memoryBytes: memoryBytes, uplinkBitsPerSecond: 1e6,
                      downlinkBitsPerSecond: 1e6, availability: DeviceProfiles.standard[0].availability)
    }

    static let taskFLOPs = 3e9
    static let task = ClientTaskCost(trainingFLOPs: taskFLOPs, parameterBytes: 1000, optimizerStateBytes: 0, workspaceBytes: 0,
                                     bytesDown: 0, bytesUp: 0)

    static func fleet(_ clients: [(DeviceProfile, [TimeWindow], [Double])]) -> DeviceFleet {
        let trace = DeviceTrace(clients: clients.enumerated().map { index, client in
            DeviceTrace.Client(id: "c\(index)", profile: client.0, timeZoneHours: 0,
                               availability: ClientAvailability(windows: client.1, failures: client.2))
        })
        return DeviceFleet(source: .trace(trace), clientCount: clients.count, seed: 1)
    }

    static func simulation(deadline: Double = 600, overSelection: Double = 10) -> DeviceSimulation {
        var simulation = DeviceSimulation()
        simulation.selectionSeconds = 0
        simulation.deadlineSeconds = deadline
        simulation.overSelection = overSelection
        return simulation
    }

    /// Runs `rounds` rounds back to back; returns each round's reporters and the clock after it.
    static func run(_ fleet: DeviceFleet, rounds: Int, target: Int, simulation: DeviceSimulation,
                    cost: ClientTaskCost = task) throws -> [(reported: [Int], fates: [Int: ClientFate], end: Double)] {
        var clock = 0.0, result: [(reported: [Int], fates: [Int: ClientFate], end: Double)] = []
        for round in 1...rounds {
            let schedule = try RoundSchedule.plan(round: round, openSeconds: clock, target: target, simulation: simulation,
                                                  fleet: fleet, seed: 7) { _ in (cost, 10) }
            clock = schedule.endSeconds
            let fates = Dictionary(uniqueKeysWithValues: zip(schedule.selected, schedule.fates))
            result.append((schedule.reportingPositions.map { schedule.selected[$0] }, fates, clock))
        }
        return result
    }

    @Test func aHandMadeTraceGivesExactlyTheExpectedParticipantsPerRound() throws {
        // A: [0, 100); B: [0, 50); C: [60, 200); D: [0, 1000) failing at 25; E: only from 10,000 s.
        let phone = Self.device("phone")
        let fleet = Self.fleet([
            (phone, [TimeWindow(start: 0, end: 100)], []),
            (phone, [TimeWindow(start: 0, end: 50)], []),
            (phone, [TimeWindow(start: 60, end: 200)], []),
            (phone, [TimeWindow(start: 0, end: 1000)], [25]),
            (phone, [TimeWindow(start: 10_000, end: 20_000)], []),
        ])
        let rounds = try Self.run(fleet, rounds: 5, target: 3, simulation: Self.simulation())
        // Every task takes 15 s and everyone available is selected (over-selection 10 × 3).
        #expect(rounds[0].reported == [0, 1, 3] && rounds[0].end == 15)  // the cohort is full at 15 s
        #expect(rounds[1].reported == [0, 1] && rounds[1].fates[3] == .droppedForAvailability)  // D fails at 25
        #expect(rounds[1].end == 30)  // short of 3 reports, it closes when everyone has reported or dropped
        #expect(rounds[2].reported == [0, 1, 3] && rounds[2].end == 45)
        #expect(rounds[3].reported == [0, 3] && rounds[3].fates[1] == .droppedForAvailability && rounds[3].end == 60)
        #expect(rounds[4].reported == [0, 2, 3] && rounds[4].end == 75)  // C came online at 60
        #expect(rounds.allSatisfy { $0.fates[4] == nil })  // E is never available in these rounds
    }

    @Test func theServerWaitsForTheFirstAvailableClientAndStopsWhenTheTraceEnds() throws {
        let fleet = Self.fleet([(Self.device("phone"), [TimeWindow(start: 500, end: 525)], [])])
        let rounds = try Self.run(fleet, rounds: 2, target: 1, simulation: Self.simulation())
        #expect(rounds[0].reported == [0] && rounds[0].end == 515)
        #expect(rounds[1].reported == [] && rounds[1].fates[0] == .droppedForAvailability)  // 515 + 15 > 525
        #expect(rounds[1].end == 525)
        #expect(throws: SimulationError.traceEnded(atSeconds: 525)) {
            try RoundSchedule.plan(round: 3, openSeconds: 525, target: 1, simulation: Self.simulation(), fleet: fleet,
                                   seed: 7) { _ in (Self.task, 10) }
        }
    }

    @Test func aDeadlineExcludesExactlyTheDevicesTooSlowForIt() throws {
        let always = [TimeWindow(start: 0, end: 1e6)]
        let fleet = Self.fleet([10.0, 19.9, 20.1, 40, 20].map { (Self.device("d\($0)", seconds: $0), always, []) })
        let round = try Self.run(fleet, rounds: 1, target: 5, simulation: Self.simulation(deadline: 20))[0]
        #expect(round.reported == [0, 1, 4])  // 20 s exactly makes it
        #expect(round.fates[2] == .droppedForTime && round.fates[3] == .droppedForTime)
        #expect(round.end == 20)  // the slow ones run to the deadline
    }

    @Test func overSelectionKeepsTheFirstReportsAndDropsTheStragglers() throws {
        let always = [TimeWindow(start: 0, end: 1e6)]
        let fleet = Self.fleet([30.0, 10, 40, 20].map { (Self.device("d\($0)", seconds: $0), always, []) })
        let round = try Self.run(fleet, rounds: 1, target: 2, simulation: Self.simulation(overSelection: 2))[0]
        #expect(round.reported == [1, 3] && round.fates[0] == .late && round.fates[2] == .late && round.end == 20)
    }

    @Test func memoryExcludesExactlyTheClientsWhoseTaskDoesNotFit() throws {
        // The real cost of an LSTM task: a device one byte short refuses it, one with exactly enough takes it.
        let task = LanguageModellingTask(configuration: .init(model: .lstm(.init(vocabularySize: 300, embeddingSize: 16,
                                                                                   hiddenSize: 32))))
        let model = task.makeModel(seed: 1)
        var training = ClientTraining()
        training.optimizer = .adam()
        let rows = task.localData(for: TextUser(name: "u", sentences: Array(repeating: [5, 6, 7], count: 40)))
        let (flops, workspace) = task.trainingCost(of: rows, batchSize: training.batchSize, model: model)
        let cost = ClientTaskCost(epochFLOPs: flops, workspaceBytes: workspace, parameterCount: model.parameters.layout.count,
                                  training: training, bytesUp: 4 * model.parameters.layout.count)
        #expect(cost.optimizerStateBytes == 2 * 4 * model.parameters.layout.count)
        let peak = cost.peakMemoryBytes
        let always = [TimeWindow(start: 0, end: 1e6)]
        let fleet = Self.fleet([peak - 1, peak, peak + 1, peak / 2].map {
            (Self.device("m\($0)", seconds: 5, memoryBytes: $0), always, [])
        })
        let round = try Self.run(fleet, rounds: 1, target: 4, simulation: Self.simulation(), cost: cost)[0]
        #expect(round.reported == [1, 2])
        #expect(round.fates[0] == .droppedForMemory && round.fates[3] == .droppedForMemory)
    }
}
