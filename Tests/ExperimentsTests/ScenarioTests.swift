import Experiments
import Federation
import Foundation
import Testing

/// Scenario validation: every mistake is one line naming file and key path; overrides are checked too.
@Suite struct ScenarioTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func embeddedScenariosAreTheFilesInTheRepository() throws {
        for (name, embedded) in [("quickstart", EmbeddedScenarios.quickstart),
                                 ("stackoverflow-shape", EmbeddedScenarios.stackOverflowShape)] {
            let file = try String(contentsOf: Self.repository.appendingPathComponent("scenarios/\(name).json"), encoding: .utf8)
            #expect(file.trimmingCharacters(in: .newlines) == embedded, "\(name)")
        }
    }

    @Test(arguments: ["quickstart", "stackoverflow-shape"])
    func readyScenariosValidate(name: String) throws {
        let scenario = try Scenario(contentsOf: Self.repository.appendingPathComponent("scenarios/\(name).json").path)
        #expect(scenario.name == name)
    }

    static func error(_ json: String, overrides: [String] = []) -> String? {
        do {
            _ = try Scenario(json: Data(json.utf8), file: "s.json", overrides: overrides)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func mistakesAreReportedWithFileAndKeyPath() {
        #expect(Self.error(#"{"rounds": 5, "clients": {"cohortSise": 3}}"#)
            == "s.json: clients.cohortSise: unknown key; did you mean 'cohortSize'? (cohortSize applies to sampling "
            + "fixed, samplingRate to poisson, momentum to optimizer sgd)")
        #expect(Self.error(#"{"rounds": "many"}"#) == "s.json: rounds: must be an integer in 1...1000000, got \"many\"")
        #expect(Self.error(#"{"rounds": 0}"#) == "s.json: rounds: must be an integer in 1...1000000, got 0")
        #expect(Self.error(#"{"server": {"optimizer": "fedadma"}}"#)
            == "s.json: server.optimizer: 'fedadma' is not one of fedavg, fedavgm, fedadam, fedyogi, fedadagrad, lamb, lars; "
            + "did you mean 'fedadam'?")
        #expect(Self.error(#"{"clients": {"shuffle": 1}}"#) == "s.json: clients.shuffle: must be true or false, got 1")
        #expect(Self.error(#"{"data": {"source": "files", "trainPath": "/no/such", "validationPath": "/no/such"}}"#)
            == "s.json: data.trainPath: /no/such/vocab.txt not found")
        #expect(Self.error(#"{"data": {"users": 10}, "clients": {"cohortSize": 20}}"#)
            == "s.json: clients.cohortSize: 20 exceeds the population (data.users = 10)")
        #expect(Self.error("{\"rounds\": 5") == "s.json: line 1, column 1: the text ends inside the object opened here (a missing '}'?)")
    }

    @Test func overridesApplyBeforeValidation() throws {
        let scenario = try Scenario(json: Data(EmbeddedScenarios.quickstart.utf8), file: "q.json",
                                    overrides: ["clients.cohortSize=7", "server.optimizer=fedyogi", "rounds=3",
                                                "clients.shuffle=false"])
        #expect(scenario.training.sampling == .fixedSize(7))
        #expect(scenario.training.server.kind == .fedyogi)
        #expect(scenario.rounds == 3)
        #expect(scenario.training.client.shuffle == false)  // JSON booleans are told apart from numbers
        #expect(Self.error("{}", overrides: ["rounds=-2"]) == "s.json: rounds: must be an integer in 1...1000000, got -2")
        #expect(Self.error("{}", overrides: ["rounds"]) == "--set: 'rounds' must look like key.path=value")
    }
}
