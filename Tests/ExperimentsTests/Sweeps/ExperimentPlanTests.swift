import Experiments
import Federation
import Foundation
import Testing

/// Plans of sweeps and comparisons: the grid's product, labels, seeds, and every way a plan can be wrong.
@Suite struct ExperimentPlanTests {
    /// Writes `text` (the runner suite's tiny scenario by default, plus `extra` top-level keys) to a file.
    static func scenarioFile(extra: String = "") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-plan-\(UUID().uuidString).json").path
        var text = ScenarioRunnerTests.json
        if !extra.isEmpty { text = String(text.dropLast()) + ", " + extra + "}" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func gridIsTheCartesianProductWithSeededRepeats() throws {
        let file = try Self.scenarioFile()
        let plan = try ExperimentPlan.sweep(scenarioFile: file, grid: ["clients.learningRate=0.2,0.5", "clients.cohortSize=4,6,8"],
                                            repeats: 2, overrides: ["rounds=3"])
        #expect(plan.variants.count == 6 && plan.runs.count == 12)
        #expect(plan.variants.map(\.label).prefix(3) == ["learningRate=0.2, cohortSize=4", "learningRate=0.2, cohortSize=6",
                                                         "learningRate=0.2, cohortSize=8"])
        #expect(plan.runs.prefix(2).map(\.seed) == [3, 4])  // the scenario's seed, then the next
        #expect(plan.runs.map(\.folder).prefix(2) == ["learningRate=0.2_cohortSize=4_r1", "learningRate=0.2_cohortSize=4_r2"])
        #expect(Set(plan.runs.map(\.folder)).count == 12)
        let scenarios = try plan.scenarios()
        #expect(scenarios[11].training.client.learningRate == 0.5 && scenarios[11].training.sampling == .fixedSize(8))
        #expect(scenarios[11].training.seed == 4 && scenarios[11].rounds == 3)
    }

    /// `sweep.reference` adds one variant off the grid: the ready privacy sweep's non-private run, which
    /// validates without a privacy section and sits on no axis.
    @Test func aSweepCanCarryAReferenceOffTheGrid() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scenarios/privacy-sweep.json").path
        let plan = try ExperimentPlan.sweep(scenarioFile: file, grid: [], repeats: 1, overrides: [])
        #expect(plan.variants.count == 6 && plan.variants.last?.label == "no privacy")
        #expect(plan.variants.last?.assignments == ["privacy=null"] && plan.variants.last?.coordinates == ["null"])
        let scenarios = try plan.scenarios()
        #expect(scenarios.prefix(5).allSatisfy { $0.privacy != nil } && scenarios[5].privacy == nil)
        #expect(ExperimentPlan.displayValue("null") == "–")
        let bad = try Self.scenarioFile(extra: #""sweep": {"grid": [{"key": "rounds", "values": [1, 2]}], "reference": {"set": {}}}"#)
        #expect(throws: ScenarioError.self) { try ExperimentPlan.sweep(scenarioFile: bad, grid: [], repeats: nil, overrides: []) }
    }

    @Test func valuesSplitOnlyAtTopLevelCommas() throws {
        let file = try Self.scenarioFile()
        let plan = try ExperimentPlan.sweep(scenarioFile: file, grid: [#"server={"optimizer":"fedavg","learningRate":1},{"optimizer":"fedadam"}"#],
                                            repeats: nil, overrides: [])
        #expect(plan.axes[0].values.count == 2)
        let scenarios = try plan.scenarios()
        #expect(scenarios[0].training.server.kind.rawValue == "fedavg" && scenarios[1].training.server.kind.rawValue == "fedadam")
    }

    @Test func theScenarioFileCanCarryTheGridAndTheVariants() throws {
        let file = try Self.scenarioFile(extra: """
            "sweep": {"grid": [{"key": "clients.learningRate", "values": [0.1, 0.3]}], "repeats": 3},
            "compare": {"variants": [{"name": "fedavg", "set": {"server.optimizer": "fedavg", "server.learningRate": 1}},
                                     {"name": "fedadam", "set": {"server.optimizer": "fedadam"}}]}
            """)
        let sweep = try ExperimentPlan.sweep(scenarioFile: file, grid: [], repeats: nil, overrides: [])
        #expect(sweep.runs.count == 6 && sweep.repeats == 3)
        let comparison = try ExperimentPlan.comparison(scenarioFile: file, vary: nil, repeats: nil, overrides: [])
        #expect(comparison.variants.map(\.label) == ["fedavg", "fedadam"])
        #expect(try comparison.scenarios()[0].training.server.learningRate == 1)
        _ = try Scenario(contentsOf: file)  // `murmur run` accepts the file and ignores both sections
        let varied = try ExperimentPlan.comparison(scenarioFile: file, vary: "server.optimizer=fedyogi,lamb", repeats: 1, overrides: [])
        #expect(varied.variants.map(\.label) == ["fedyogi", "lamb"])
    }

    @Test func mistakesAreOneLineErrorsNamingTheKey() throws {
        let file = try Self.scenarioFile()
        func message(_ grid: [String]) -> String? {
            do {
                _ = try ExperimentPlan.sweep(scenarioFile: file, grid: grid, repeats: nil, overrides: []).scenarios()
                return nil
            } catch { return error.description }
        }
        #expect(message(["clients.learningRat=0.1,0.2"]) == "\(file): clients.learningRat: unknown key; did you mean 'learningRate'? "
            + "(cohortSize applies to sampling fixed, samplingRate to poisson, momentum to optimizer sgd)")
        #expect(message(["clients.cohortSize=4,-1"]) == "\(file): clients.cohortSize: must be an integer in 1...1000000, got -1")
        #expect(message(["rounds"]) == "--grid: 'rounds' must look like key.path=v1,v2,…")
        #expect(message(["rounds=1,,2"]) == "--grid: rounds: 'rounds=1,,2' has an empty value; list values as v1,v2,…")
        #expect(message(["rounds=1,2", "rounds=3"]) == "--grid: rounds: is swept twice; give each key once")
        #expect(message(["seed=1,2"]) == "--grid: seed: cannot be swept; --repeats R runs each point with seeds seed, seed+1, …")
        #expect(message(["rounds=2,2"]) == "--grid: rounds: lists a value twice")
        #expect(message([])?.hasPrefix("\(file): sweep.grid: nothing to sweep") == true)
        let badSection = try Self.scenarioFile(extra: #""sweep": {"grids": []}"#)
        #expect(throws: ScenarioError(file: badSection, keyPath: "sweep.grids", message: "unknown key; did you mean 'grid'?")) {
            try ExperimentPlan.sweep(scenarioFile: badSection, grid: [], repeats: nil, overrides: [])
        }
        let sameNames = try Self.scenarioFile(extra: #""compare": {"variants": [{"name": "a", "set": {}}, {"name": "a", "set": {}}]}"#)
        #expect(throws: ScenarioError(file: sameNames, keyPath: "compare.variants",
                                      message: "two variants are both named 'a'; give each a distinct name")) {
            try ExperimentPlan.comparison(scenarioFile: sameNames, vary: nil, repeats: nil, overrides: [])
        }
        #expect(throws: ScenarioError.self) {
            try ExperimentPlan.comparison(scenarioFile: file + ".missing", vary: "rounds=1,2", repeats: nil, overrides: [])
        }
    }
}
