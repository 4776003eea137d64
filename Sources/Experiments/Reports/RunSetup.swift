import Foundation

/// What a run is, for the top of its report: the resolved scenario (`scenario.json`) as a few lines a
/// person reads — model, data, cohort, client and server optimizers with their learning rates, privacy,
/// secure aggregation, devices — then every setting, and the Murmur that made the run (`build.json`).
///
/// Numbers are rounded for people (`learningRate 0.1`, not the float's 0.10000000149011612).
package enum RunSetup {
    /// The setup table and the full settings, as HTML, or "" when the folder has no scenario.json.
    static func html(folder: URL, summary: RunSummary?) -> String {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent("scenario.json")),
              let tree = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return "" }
        var out = "<h2>Setup</h2>\n" + ReportPage.table(headings: ["setting", "value"], rows: rows(tree, summary: summary),
                                                      numericFrom: 9)
        let every = flattened(tree).map { [$0.key, $0.value] }
        out += "<details><summary>Every setting, defaults included (scenario.json)</summary>\n"
            + ReportPage.table(headings: ["key", "value"], rows: every, numericFrom: 9) + "</details>\n"
        return out
    }

    /// The headline rows of the setup.
    package static func rows(_ tree: [String: Any], summary: RunSummary?) -> [[String]] {
        func section(_ name: String) -> [String: Any] { tree[name] as? [String: Any] ?? [:] }
        func text(_ object: [String: Any], _ keys: [String]) -> String {
            keys.compactMap { key in object[key].map { "\(key) \(ReportFormat.human($0))" } }.joined(separator: ", ")
        }
        var rows: [[String]] = []
        let model = section("model")
        rows.append(["model", (model["kind"] as? String ?? "?") + " (" + text(model, ["embeddingSize", "hiddenSize", "width", "heads",
                                                                                     "layers", "maxSteps", "dropout"]) + ")"
            + (model["initialWeights"].map { ", from \(ReportFormat.human($0))" } ?? "")])
        let data = section("data")
        rows.append(["data", (data["source"] as? String ?? "?") + ": "
            + text(data, ["users", "validationUsers", "vocabularySize", "trainPath", "validationPath"])])
        rows.append(["rounds, seed", "\(ReportFormat.human(tree["rounds"] ?? "?")), seed \(ReportFormat.human(tree["seed"] ?? 0))"])
        let clients = section("clients")
        rows.append(["cohort", clients["sampling"] as? String == "poisson"
            ? "Poisson, rate \(ReportFormat.human(clients["samplingRate"] ?? "?"))"
            : "\(ReportFormat.human(clients["cohortSize"] ?? "?")) clients a round"])
        rows.append(["client training", (clients["optimizer"] as? String ?? "?") + ", "
            + text(clients, ["learningRate", "momentum", "localEpochs", "batchSize", "sequenceLength", "loss", "proximalMu"])])
        let server = section("server")
        rows.append(["server optimizer", (server["optimizer"] as? String ?? "?") + ", "
            + text(server, ["learningRate", "momentum", "beta1", "beta2", "adaptivity", "warmupRounds", "decay"])])
        for (name, label) in [("peu", "partial embedding updates"), ("lora", "LoRA")] where tree[name] != nil {
            rows.append([label, text(section(name), ["rows", "rule", "topRows", "power", "rank", "alpha", "server"])])
        }
        if tree["privacy"] != nil {
            let privacy = section("privacy")
            var value = (privacy["mechanism"] as? String ?? "?") + ", "
                + text(privacy, ["epsilon", "noiseMultiplier", "delta", "clipping", "clipBound", "accountant", "noiseCohortSize"])
            if let spent = summary?.privacy {
                value += "; noise multiplier \(ReportFormat.significant(spent.noiseMultiplier, digits: 4)) (\(spent.noiseSource)), "
                    + "ε as run \(ReportFormat.epsilon(spent.epsilonShown))"
                    + (spent.deploymentEpsilon.map { " (\($0))" } ?? "")
            }
            rows.append(["differential privacy", value])
        } else {
            rows.append(["differential privacy", "none"])
        }
        if tree["secureAggregation"] != nil {
            let secure = section("secureAggregation")
            rows.append(["secure aggregation", (secure["protocol"] as? String ?? "?") + ", "
                + text(secure, ["bits", "neighbours", "thresholdFraction", "dropoutRate", "clipBound"])])
        } else {
            rows.append(["secure aggregation", "none (the server sums updates in the clear)"])
        }
        if tree["devices"] != nil {
            rows.append(["devices", text(section("devices"), ["trace", "overSelection", "deadlineSeconds"])])
        }
        let evaluation = section("evaluation")
        rows.append(["evaluation", text(evaluation, ["every", "users", "batchSize", "targetPerplexity"])])
        return rows
    }

    /// Every leaf of the resolved scenario as (dotted key, rounded value), sorted by key.
    package static func flattened(_ tree: [String: Any], prefix: String = "") -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        for key in tree.keys.sorted() {
            let path = prefix.isEmpty ? key : prefix + "." + key
            if let child = tree[key] as? [String: Any], !child.isEmpty {
                result += flattened(child, prefix: path)
            } else {
                result.append((path, ReportFormat.human(tree[key]!)))
            }
        }
        return result
    }
}

/// `build.json` in a run folder: the Murmur version and commit that started the run.
package enum RunBuildRecord {
    static let fileName = "build.json"

    /// The record's JSON for this process.
    package static var current: Data {
        (try? JSONSerialization.data(withJSONObject: ["version": MurmurBuild.version, "commit": MurmurBuild.commit],
                                     options: [.prettyPrinted, .sortedKeys])) ?? Data()
    }

    /// "Murmur 0.1.0, commit …" from a run folder's record, or nil when it has none (runs made before it).
    package static func read(folder: URL) -> String? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let version = object["version"] as? String, let commit = object["commit"] as? String else { return nil }
        return "Murmur \(version), commit \(commit)"
    }
}
