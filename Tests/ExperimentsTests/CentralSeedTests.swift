import Experiments
import Federation
import Foundation
import Testing

/// `central.seedStart`: a seeded federated run in one command equals training the seed with
/// `murmur train-central` and starting from it with `model.initialWeights`, and the seed is reused.
@Suite struct CentralSeedTests {
    static func json(output: String, server: String = "fedavg", extra: String = "") -> String {
        """
        {"name": "seeded", "seed": 4, "rounds": 3,
         "data": {"users": 120, "validationUsers": 10, "vocabularySize": 50},
         "model": {"embeddingSize": 8, "hiddenSize": 12\(extra)},
         "clients": {"cohortSize": 4, "learningRate": 0.5},
         "server": {"optimizer": "\(server)"},
         "central": {"steps": 6, "usersPerStep": 3, "learningRate": 0.01, "evaluateEvery": 3, "seedStart": true},
         "evaluation": {"every": 3}, "output": {"directory": "\(output)", "checkpointEvery": 3}}
        """
    }

    @Test func seedStartEqualsTrainCentralThenInitialWeightsAndIsReused() throws {
        let output = ScenarioRunnerTests.folder()
        let seeded = ScenarioRunnerTests.folder()
        _ = try ScenarioRunnerTests.run(Self.json(output: output), file: "seeded.json", folder: seeded)
        let seeds = try FileManager.default.contentsOfDirectory(atPath: output + "/seeds")
        #expect(seeds.count == 1)
        let seedFolder = output + "/seeds/" + seeds[0]

        // The two-command way: the same seed by train-central, then a run from it.
        let scenario = try Scenario(json: Data(Self.json(output: output).utf8), file: "seeded.json")
        var options = RunOptions()
        options.runFolder = ScenarioRunnerTests.folder()
        let (_, central) = try CentralTrainingRunner(scenario: scenario, options: options, reporter: .silent).run()
        func weights(_ folder: String) throws -> [Float] {
            try TrainingCheckpoint.read(from: URL(fileURLWithPath: folder + "/checkpoint.bin")).parameters
        }
        let b = try Data(contentsOf: URL(fileURLWithPath: seedFolder + "/checkpoint.bin"))
        #expect(try weights(central) == weights(seedFolder))
        let twoStep = ScenarioRunnerTests.folder()
        let fromWeights = Self.json(output: output).replacingOccurrences(of: ", \"seedStart\": true", with: "")
            .replacingOccurrences(of: "\"hiddenSize\": 12", with: "\"hiddenSize\": 12, \"initialWeights\": \"\(central)\"")
        _ = try ScenarioRunnerTests.run(fromWeights, file: "seeded.json", folder: twoStep)
        #expect(try ScenarioRunnerTests.metrics(seeded) == ScenarioRunnerTests.metrics(twoStep))

        // A variant that changes only the server reuses the seed: still one folder, its bytes unchanged.
        _ = try ScenarioRunnerTests.run(Self.json(output: output, server: "fedadam"), file: "seeded.json",
                                        folder: ScenarioRunnerTests.folder())
        #expect(try FileManager.default.contentsOfDirectory(atPath: output + "/seeds") == seeds)
        #expect(try Data(contentsOf: URL(fileURLWithPath: seedFolder + "/checkpoint.bin")) == b)
    }

    @Test func seedStartWithInitialWeightsIsRefused() {
        let text = Self.json(output: "/tmp", extra: ", \"initialWeights\": \"/nowhere\"")
        #expect(throws: ScenarioError.self) { try Scenario(json: Data(text.utf8), file: "seeded.json") }
    }
}
