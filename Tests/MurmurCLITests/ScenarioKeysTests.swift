import Experiments
import Foundation
import Testing

/// The key table (`ScenarioKey`) is the one source of `murmur scenario keys` and docs/scenarios.md's tables,
/// and it agrees with the readers: every key they resolve in any probe is in it, every key in it is resolved
/// by some probe, and its literal defaults are the ones the readers fill in.
@Suite(.serialized) struct ScenarioKeysTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func docsScenariosTablesAreTheGeneratedOnes() throws {
        let text = try String(contentsOf: Self.repository.appendingPathComponent("docs/scenarios.md"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        var found: [String] = []
        for (index, line) in lines.enumerated() where line.hasPrefix("<!-- keys: ") {
            let title = String(line.dropFirst("<!-- keys: ".count).dropLast(" -->".count))
            let section = title == "top level" ? "" : title
            let table = lines[(index + 1)...].prefix { $0.hasPrefix("|") }.joined(separator: "\n")
            #expect(table == ScenarioKey.markdown(section: section),
                    "docs/scenarios.md's \(title) table differs from `murmur scenario keys \(title) --markdown`")
            found.append(section)
        }
        #expect(found == ScenarioKey.sections)
        // …and the command prints exactly those blocks.
        let printed = CommandLineTests.run(["scenario", "keys", "--markdown"]).output
        for section in ScenarioKey.sections {
            #expect(printed.contains("<!-- keys: \(section.isEmpty ? "top level" : section) -->\n" + ScenarioKey.markdown(section: section)))
        }
    }

    @Test func scenarioKeysPrintsASectionForATerminal() {
        let result = CommandLineTests.run(["scenario", "keys", "clients"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("[clients]\nclients.sampling  default fixed; allowed fixed, poisson\n"))
        #expect(result.output.contains("clients.cohortSize  default 50; allowed 1…10⁶, ≤ population\n    fixed: users a round"))
        #expect(CommandLineTests.run(["scenario", "keys", "server"]).output.contains("server.beta1, beta2  default 0.9, 0.99"))
        let wrong = CommandLineTests.run(["scenario", "keys", "client"])
        #expect(wrong.status == 64 && wrong.errors.hasPrefix("murmur: scenario keys: option 'SECTION': 'client' is not valid; "
            + "allowed: top, data, model, clients,"))
        #expect(wrong.errors.contains("(did you mean 'clients'?)"))
    }

    /// Scenarios that between them take every branch of the readers.
    static func probes(folder: URL) throws -> [String] {
        // A federated text folder and a checkpoint that fits it, for data.source files and model.initialWeights.
        let data = folder.appendingPathComponent("data").path, run = folder.appendingPathComponent("run").path
        #expect(CommandLineTests.run(["data", "synth-lm", "--users", "20", "--vocab", "30", "--out", data]).status == 0)
        let tiny = folder.appendingPathComponent("tiny.json")
        let tinyText = #"{"rounds": 1, "data": {"source": "files", "trainPath": "data", "validationPath": "data"},"#
            + #" "model": {"embeddingSize": 8, "hiddenSize": 16}, "clients": {"cohortSize": 2}, "evaluation": {"every": 0}}"#
        try Data(tinyText.utf8).write(to: tiny)
        let made = CommandLineTests.run(["run", tiny.path, "--out", run])
        #expect(made.status == 0, "\(made.errors)")
        let trace = repository.appendingPathComponent("clients/traces/sample.jsonl").path
        // The speech readers only check that a speaker folder has its speakers.jsonl.
        let speakers = folder.appendingPathComponent("speakers").path
        try FileManager.default.createDirectory(atPath: speakers, withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: speakers + "/speakers.jsonl"))
        let order = folder.appendingPathComponent("order.txt").path
        try Data("3\n0\n7\n".utf8).write(to: URL(fileURLWithPath: order))
        return [
            "{}",
            #"{"model": {"kind": "transformer"}, "data": {"vocabularySize": 64}}"#,
            #"{"rounds": 5, "data": {"users": 1000, "vocabularySize": 64, "unigram": "heldOut"}, "#
                + #""clients": {"sampling": "poisson", "samplingRate": 0.05, "optimizer": "adam"}, "#
                + #""privacy": {"epsilon": 8, "delta": 1e-5, "noiseCohortSize": 100, "accountant": "rdp", "#
                + #""adaptiveClipping": {"targetQuantile": 0.5}}}"#,
            #"{"rounds": 5, "data": {"users": 1000, "vocabularySize": 64}, "privacy": {"noiseMultiplier": 1, "delta": 1e-5}}"#,
            #"{"rounds": 5, "data": {"users": 1000, "vocabularySize": 64}, "privacy": {"mechanism": "dpftrl", "#
                + #""matrixFactorization": "banded", "bands": 2, "maxParticipations": 2, "minSeparation": 2, "epsilon": 8, "delta": 1e-5}}"#,
            #"{"rounds": 5, "data": {"users": 1000, "vocabularySize": 64}, "privacy": {"audit": {"canaries": 10}}}"#,
            #"{"rounds": 5, "data": {"users": 1000, "vocabularySize": 64}, "privacy": {"noiseMultiplier": 1, "delta": 1e-5, "#
                + #""audit": {"fraction": 0.01}}}"#,
            #"{"server": {"optimizer": "fedavgm", "warmupRounds": 2}}"#,
            #"{"server": {"optimizer": "fedadam", "decay": "cosine"}}"#,
            #"{"server": {"optimizer": "fedadagrad", "decay": "step"}}"#,
            #"{"server": {"optimizer": "lars", "decay": "exponential"}, "clients": {"optimizer": "lars"}}"#,
            #"{"data": {"vocabularySize": 64}, "clients": {"loss": "nce", "memoryLimitBytes": 100000000}, "#
                + #""peu": {"rows": 10, "rule": "mixed"}, "lora": {"rank": 2}}"#,
            #"{"data": {"vocabularySize": 64}, "secureAggregation": {"clipBound": 1, "neighbours": 4, "dropoutRate": 0.1}}"#,
            #"{"data": {"vocabularySize": 64}, "secureAggregation": {"protocol": "secagg", "clipBound": 1, "#
                + #""dropoutRates": {"advertiseKeys": 0.01, "shareKeys": 0, "maskedInput": 0, "unmasking": 0}}}"#,
            #"{"data": {"users": 2000}, "devices": {}}"#,
            #"{"data": {"users": 2000}, "devices": {"trace": "\#(trace)"}}"#,
            #"{"evaluation": {"target": {"metric": "validationPerplexity", "value": 50}}}"#,
            #"{"evaluation": {"targetPerplexity": 50}}"#,
            #"{"data": {"source": "files", "trainPath": "\#(data)", "validationPath": "\#(data)"}, "#
                + #""model": {"embeddingSize": 8, "hiddenSize": 16, "initialWeights": "\#(run)"}}"#,
            #"{"central": {"optimizer": "sgd", "decay": "cosine"}}"#,
            #"{"task": "speechRecognition", "data": {"trainPath": "\#(speakers)", "validationPath": "\#(speakers)"}, "#
                + #""model": {"ctcWeight": 0.5}, "clients": {"batchSeconds": 8, "specAugment": true, "gradientClipNorm": 1}, "#
                + #""evaluation": {"beamWidth": 4}, "central": {"trainPath": "\#(speakers)", "gradientClipNorm": 2}}"#,
            #"{"data": {"source": "files", "trainPath": "\#(data)", "validationPath": "\#(data)"}, "#
                + #""clients": {"cohortSize": 2, "userOrder": "\#(order)"}}"#,
        ]
    }

    /// Every leaf of a JSON tree as (dotted path, value).
    static func leaves(_ tree: [String: Any], prefix: String = "") -> [(String, Any)] {
        tree.flatMap { key, value -> [(String, Any)] in
            let path = prefix.isEmpty ? key : prefix + "." + key
            if let child = value as? [String: Any] { return leaves(child, prefix: path) }  // {}: an optional section left out
            return [(path, value)]
        }
    }

    @Test func theTableAndTheReadersAgree() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let tablePaths = Set(ScenarioKey.all.flatMap(\.paths))
        var resolvedPaths = Set<String>()
        for probe in try Self.probes(folder: folder) {
            let scenario = try Scenario(json: Data(probe.utf8), file: folder.appendingPathComponent("s.json").path)
            let resolved = try #require(try JSONSerialization.jsonObject(with: scenario.resolvedJSON) as? [String: Any])
            let given = try #require(try JSONSerialization.jsonObject(with: Data(probe.utf8)) as? [String: Any])
            let givenPaths = Set(Self.leaves(given).map(\.0))
            for (path, value) in Self.leaves(resolved) {
                let row = tablePaths.first { path == $0 || path.hasPrefix($0 + ".") }
                #expect(row != nil, "the readers resolve \(path), which the key table (docs/scenarios.md) lacks")
                if let row { resolvedPaths.insert(row) }
                // A default the table states as a literal is the one the readers fill in.
                if !givenPaths.contains(path), let key = ScenarioKey.all.first(where: { $0.paths == [path] }),
                   let literal = Self.literal(key.defaultText) {
                    #expect(Self.same(literal, value), "\(path): the table says \(key.defaultText), the readers fill in \(value)")
                }
            }
        }
        for path in tablePaths.sorted() where !resolvedPaths.contains(path) {
            Issue.record("the key table has \(path), which no reader resolved in any probe")
        }
    }

    /// A default written as a plain number, `string` or boolean; nil for descriptions (rounds/10, none).
    static func literal(_ text: String) -> Any? {
        if let number = Double(text) { return number }
        if text == "true" || text == "false" { return text == "true" }
        if text.hasPrefix("`"), text.hasSuffix("`"), text.count > 2, text.dropFirst().dropLast().allSatisfy({ $0 != "`" && $0 != " " }) {
            return String(text.dropFirst().dropLast())
        }
        return nil
    }

    static func same(_ literal: Any, _ value: Any) -> Bool {
        switch literal {
        case let number as Double: return (value as? NSNumber)?.doubleValue == number
        case let flag as Bool: return (value as? Bool) == flag
        case let text as String: return (value as? String) == text
        default: return false
        }
    }

    @Test func theReaderNamesTheSectionsOwnKeysWhenNoneIsClose() {
        #expect(ScenarioKey.names(in: "server").isSuperset(of: ["optimizer", "momentum", "adaptivity", "warmupRounds"]))
        #expect(ScenarioKey.names(in: "privacy.adaptiveClipping") == ["targetQuantile", "learningRate", "countNoise"])
        #expect(ScenarioKey.names(in: "secureAggregation.dropoutRates") == ["advertiseKeys", "shareKeys", "maskedInput", "unmasking"])
    }
}
