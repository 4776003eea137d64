import Experiments
import Foundation
import Testing

/// The validation errors a newcomer meets in the first hour (issue 25), each pinned to the key it blames
/// and the fix it gives.
@Suite struct ScenarioMistakeTests {
    @Test func aMisspeltKeyIsBlamedBeforeTheKeysItWouldHaveEnabled() {
        // "optimiser" leaves the server on fedavg, which reads no adaptivity; the misspelling is the mistake.
        #expect(ScenarioTests.error(#"{"server": {"optimiser": "fedadam", "adaptivity": 0.01, "beta2": 0.99}}"#)
            == "s.json: server.optimiser: unknown key; did you mean 'optimizer'? (momentum applies to fedavgm and lars; "
            + "beta1, beta2 to fedadam, fedyogi, lamb; adaptivity to the adaptive optimizers and lars; minimumFactor to "
            + "decay cosine; decayEvery, decayFactor to decay step; decayStart, decayRate, decayTransitionRounds to decay "
            + "exponential)")
        // A misspelling of a key that only another choice reads is still told its spelling.
        #expect(ScenarioTests.error(#"{"server": {"optimizer": "fedavg", "adaptivty": 0.01}}"#)?
            .hasPrefix("s.json: server.adaptivty: unknown key; did you mean 'adaptivity'?") == true)
    }

    @Test func aKeyOfAnotherChoiceSaysHowToDropIt() {
        #expect(ScenarioTests.error(#"{"clients": {"sampling": "poisson", "cohortSize": 50}}"#)
            == "s.json: clients.cohortSize: does not apply here (cohortSize applies to sampling fixed, samplingRate to "
            + "poisson, momentum to optimizer sgd); remove it, e.g. --set clients.cohortSize=null")
        #expect(ScenarioTests.error(#"{"clients": {"cohortSize": 50}}"#, overrides: ["clients.sampling=poisson"])?
            .hasSuffix("remove it, e.g. --set clients.cohortSize=null") == true)
        // …and the --set it names does fix it.
        #expect(ScenarioTests.error(#"{"clients": {"cohortSize": 50}}"#,
                                    overrides: ["clients.sampling=poisson", "clients.cohortSize=null"]) == nil)
    }

    @Test func brokenJSONIsReportedWithLineAndColumn() {
        #expect(ScenarioTests.error("{\n  \"rounds\": 5\n  \"seed\": 1\n}")
            == "s.json: line 3, column 3: expected ',' or '}' after the value (a missing comma?)")
        #expect(ScenarioTests.error("{\"name\": 'x'}") == "s.json: line 1, column 10: strings take double quotes (\"…\"), not single ones")
        #expect(ScenarioTests.error("{\"rounds\": 5")
            == "s.json: line 1, column 1: the text ends inside the object opened here (a missing '}'?)")
        #expect(ScenarioTests.error("{\"clients\": {\"cohortSize\": 05}}") == "s.json: line 1, column 28: a number cannot start with 0")
        #expect(ScenarioTests.error("{\"data\": {\"source\": \"synthetic}}")
            == "s.json: line 1, column 21: the string opened here never closes (a missing '\"'?)")
        #expect(ScenarioTests.error("[1, 2]") == "s.json: not a JSON object: a scenario is one object { … }")
        // Columns count characters, not bytes.
        #expect(ScenarioTests.error("{\"name\": \"é\" \"x\": 1}")?.hasPrefix("s.json: line 1, column 14:") == true)
    }

    @Test func theScannerNamesTrailingCommas() {
        // (Foundation on Linux accepts these, so a scenario never shows this; other platforms' does not.)
        #expect(JSONSyntax.firstProblem(in: Data("{\n  \"rounds\": 5,\n}".utf8))?.description
            == "line 3, column 1: a comma before '}' (JSON allows no trailing comma)")
        #expect(JSONSyntax.firstProblem(in: Data("[1,]".utf8))?.description == "line 1, column 4: a comma before ']' (JSON allows no trailing comma)")
    }

    @Test func theScannerAcceptsWhatJSONSerializationAccepts() throws {
        for text in [#"{"a": [1, -2.5e3, true, false, null, "\u00e9\n"], "b": {}}"#, "[]", "0", #""x""#, " {\"a\":{\"b\":[[]]}} "] {
            #expect(JSONSyntax.firstProblem(in: Data(text.utf8)) == nil, "\(text)")
            _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        }
    }

    @Test func aShorterRunKeepsItsWarmUp() throws {
        // stackoverflow-dp warms up for 50 rounds; `--set rounds=20` alone must be enough to shorten it.
        let file = ScenarioTests.repository.appendingPathComponent("scenarios/stackoverflow-dp.json").path
        let scenario = try Scenario(contentsOf: file, overrides: ["rounds=20"])
        #expect(scenario.rounds == 20)
        #expect(scenario.privacyPlan?.plannedRounds == 20)
    }

    @Test func outputDirectoryResolvesLikeTheDataPaths() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-paths-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("s.json")
        try Data(#"{"output": {"directory": "../elsewhere/runs"}}"#.utf8).write(to: file)
        let scenario = try Scenario(contentsOf: file.path)
        #expect(scenario.outputDirectory
            == folder.deletingLastPathComponent().appendingPathComponent("elsewhere/runs").standardizedFileURL.path)
        // Without the key: runs/ in the current folder; an absolute path as it is.
        try Data("{}".utf8).write(to: file)
        #expect(try Scenario(contentsOf: file.path).outputDirectory == "runs")
        #expect(try Scenario(contentsOf: file.path, overrides: ["output.directory=/tmp/x"]).outputDirectory == "/tmp/x")
    }

    @Test func theReadyScenariosWriteToTheCheckoutsRunsFolder() throws {
        // Shown relative to the current folder when inside it, as `runs/quickstart` in the README.
        let runs = ScenarioTests.repository.appendingPathComponent("runs").standardizedFileURL.path
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path
        let expected = runs.hasPrefix(here + "/") ? String(runs.dropFirst(here.count + 1)) : runs
        let file = ScenarioTests.repository.appendingPathComponent("scenarios/quickstart.json").path
        #expect(try Scenario(contentsOf: file).outputDirectory == expected)
        let embedded = try Scenario(json: Data(EmbeddedScenarios.quickstart.utf8), file: file + " (embedded)")
        #expect(embedded.outputDirectory == expected)
    }
}
