import Foundation

extension ExperimentPlan {
    /// A sweep of `scenarioFile`: the cartesian product of the `--grid key=v1,v2,…` axes, or of the
    /// file's `sweep.grid` when none is given; `repeats` (else `sweep.repeats`, else 1) runs of each.
    /// `sweep.reference` ({"name": …, "set": {…}}) adds one variant off the grid — the non-private run a
    /// privacy sweep is read against — which tables list and plots draw as a reference line.
    package static func sweep(scenarioFile: String, grid: [String], repeats: Int?, overrides: [String]) throws(ScenarioError) -> ExperimentPlan {
        let (text, tree, baseSeed) = try readBase(scenarioFile, overrides: overrides)
        let section = try experimentSection("sweep", in: tree, file: scenarioFile, allowed: ["grid", "repeats", "reference"])
        var axes: [Axis] = []
        if grid.isEmpty {
            guard let entries = section["grid"] else {
                throw ScenarioError(file: scenarioFile, keyPath: "sweep.grid", message: "nothing to sweep: give --grid key.path=v1,v2,… "
                    + "or a sweep.grid list in the scenario (docs/experiments.md)")
            }
            guard let list = entries as? [Any], !list.isEmpty else {
                throw ScenarioError(file: scenarioFile, keyPath: "sweep.grid", message: "must be a non-empty list of {\"key\": …, \"values\": […]}")
            }
            for (index, entry) in list.enumerated() {
                let path = "sweep.grid[\(index)]"
                guard let object = entry as? [String: Any], let key = object["key"] as? String, !key.isEmpty,
                      let values = object["values"] as? [Any], !values.isEmpty, object.count == 2 else {
                    throw ScenarioError(file: scenarioFile, keyPath: path, message: "must be {\"key\": \"a.key.path\", \"values\": [v1, v2, …]}")
                }
                axes.append(Axis(key: key, values: try values.map { value throws(ScenarioError) in
                    try jsonText(value, file: scenarioFile, keyPath: path + ".values")
                }))
            }
        } else {
            axes = try grid.map { assignment throws(ScenarioError) in try parseAxis(assignment, option: "--grid") }
        }
        for (index, axis) in axes.enumerated() {
            if axes[..<index].contains(where: { $0.key == axis.key }) {
                throw ScenarioError(file: grid.isEmpty ? scenarioFile : "--grid", keyPath: axis.key, message: "is swept twice; give each key once")
            }
            if axis.key == "seed" {
                throw ScenarioError(file: grid.isEmpty ? scenarioFile : "--grid", keyPath: "seed",
                                    message: "cannot be swept; --repeats R runs each point with seeds seed, seed+1, …")
            }
            if Set(axis.values).count != axis.values.count {
                throw ScenarioError(file: grid.isEmpty ? scenarioFile : "--grid", keyPath: axis.key, message: "lists a value twice")
            }
        }
        let repeatCount = try resolveRepeats(repeats, section: section, name: "sweep", file: scenarioFile)
        var variants = gridVariants(axes)
        if let reference = section["reference"] {
            var variant = try namedVariant(reference, file: scenarioFile, keyPath: "sweep.reference")
            variant.coordinates = axes.map { _ in "null" }  // off the grid: on no axis
            variants.append(variant)
        }
        return try checked(ExperimentPlan(kind: .sweep, scenarioFile: scenarioFile, scenarioText: text, overrides: overrides,
                                          axes: axes, variants: variants, repeats: repeatCount, baseSeed: baseSeed))
    }

    /// A comparison of `scenarioFile`: one run per `--vary key=a,b,c` value, or the file's
    /// `compare.variants` (each a name and the keys it sets) when `--vary` is not given.
    package static func comparison(scenarioFile: String, vary: String?, repeats: Int?, overrides: [String]) throws(ScenarioError) -> ExperimentPlan {
        let (text, tree, baseSeed) = try readBase(scenarioFile, overrides: overrides)
        let section = try experimentSection("compare", in: tree, file: scenarioFile, allowed: ["variants", "repeats"])
        var variants: [Variant] = []
        if let vary {
            let axis = try parseAxis(vary, option: "--vary")
            variants = axis.values.map { value in
                let name = displayValue(value)
                return Variant(label: name, assignments: ["\(axis.key)=\(value)"], coordinates: [], folderStem: folderName(name))
            }
        } else {
            guard let list = section["variants"] as? [Any], !list.isEmpty else {
                throw ScenarioError(file: scenarioFile, keyPath: "compare.variants", message: "nothing to compare: give --vary key.path=a,b,… "
                    + "or a compare.variants list of {\"name\": …, \"set\": {…}} in the scenario (docs/experiments.md)")
            }
            for (index, entry) in list.enumerated() {
                variants.append(try namedVariant(entry, file: scenarioFile, keyPath: "compare.variants[\(index)]"))
            }
        }
        let repeatCount = try resolveRepeats(repeats, section: section, name: "compare", file: scenarioFile)
        return try checked(ExperimentPlan(kind: .compare, scenarioFile: scenarioFile, scenarioText: text, overrides: overrides,
                                          axes: [], variants: variants, repeats: repeatCount, baseSeed: baseSeed))
    }

    /// A variant given as {"name": "…", "set": {"key.path": value, …}} (a comparison's, a sweep's reference).
    private static func namedVariant(_ entry: Any, file: String, keyPath path: String) throws(ScenarioError) -> Variant {
        guard let object = entry as? [String: Any], let name = object["name"] as? String, !name.isEmpty,
              let set = object["set"] as? [String: Any], object.count == 2 else {
            throw ScenarioError(file: file, keyPath: path, message: "must be {\"name\": \"…\", \"set\": {\"key.path\": value, …}}")
        }
        var assignments: [String] = []
        for key in set.keys.sorted() {
            assignments.append("\(key)=\(try jsonText(set[key]!, file: file, keyPath: "\(path).set.\(key)"))")
        }
        return Variant(label: name, assignments: assignments, coordinates: [], folderStem: folderName(name))
    }

    /// The file's text, its JSON tree, and its seed after the common overrides (the first repeat's).
    ///
    /// The scenario itself is validated run by run, with each variant's values: a sweep over
    /// `privacy.epsilon` may start from a file whose privacy section has no epsilon of its own.
    private static func readBase(_ file: String, overrides: [String]) throws(ScenarioError) -> (String, [String: Any], Int) {
        guard FileManager.default.fileExists(atPath: file) else {
            throw ScenarioError(file: file, keyPath: "", message: "no such file (scenarios are JSON files, e.g. scenarios/privacy-sweep.json)")
        }
        guard let data = FileManager.default.contents(atPath: file),
              let tree = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ScenarioError(file: file, keyPath: "", message: "not a JSON object (check commas and quotes)")
        }
        var overridden = tree
        for override in overrides { try ScenarioOverride.apply(override, to: &overridden, file: file) }
        let seed = (overridden["seed"] as? NSNumber).flatMap { Int(exactly: $0.doubleValue) } ?? 0
        return (String(decoding: data, as: UTF8.self), tree, seed)
    }

    private static func experimentSection(_ name: String, in tree: [String: Any], file: String,
                                          allowed: [String]) throws(ScenarioError) -> [String: Any] {
        guard let raw = tree[name] else { return [:] }
        guard let section = raw as? [String: Any] else {
            throw ScenarioError(file: file, keyPath: name, message: "must be an object { … }")
        }
        for key in section.keys.sorted() where !allowed.contains(key) {
            let hint = suggestion(for: key, among: allowed).map { "did you mean '\($0)'?" } ?? "allowed here: \(allowed.joined(separator: ", "))"
            throw ScenarioError(file: file, keyPath: "\(name).\(key)", message: "unknown key; \(hint)")
        }
        return section
    }

    private static func resolveRepeats(_ given: Int?, section: [String: Any], name: String, file: String) throws(ScenarioError) -> Int {
        if let given { return given }
        guard let raw = section["repeats"] else { return 1 }
        guard let number = raw as? NSNumber, let count = Int(exactly: number.doubleValue), (1...100).contains(count),
              !(String(describing: type(of: raw)).contains("Bool")) else {
            throw ScenarioError(file: file, keyPath: "\(name).repeats", message: "must be an integer in 1...100, got \(raw)")
        }
        return count
    }

    /// `key.path=v1,v2,…` as an axis; values split at commas outside brackets and quotes, each read as
    /// JSON when it parses (numbers, true/false, objects) and as a plain string otherwise.
    static func parseAxis(_ assignment: String, option: String) throws(ScenarioError) -> Axis {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
            throw ScenarioError(file: option, keyPath: "", message: "'\(assignment)' must look like key.path=v1,v2,…")
        }
        let key = String(assignment[..<equals])
        var values: [String] = [], current = "", depth = 0, quoted = false
        for character in assignment[assignment.index(after: equals)...] {
            if character == "\"" { quoted.toggle() }
            if !quoted && "[{".contains(character) { depth += 1 }
            if !quoted && "]}".contains(character) { depth -= 1 }
            if character == "," && depth == 0 && !quoted {
                values.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        values.append(current)
        values = values.map { $0.trimmingCharacters(in: .whitespaces) }
        guard !values.contains("") else {
            throw ScenarioError(file: option, keyPath: key, message: "'\(assignment)' has an empty value; list values as v1,v2,…")
        }
        return Axis(key: key, values: values.map { text in
            if (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil { return text }
            return (try? jsonText(text, file: option, keyPath: key)) ?? text
        })
    }

    private static func jsonText(_ value: Any, file: String, keyPath: String) throws(ScenarioError) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) else {
            throw ScenarioError(file: file, keyPath: keyPath, message: "is not a JSON value")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Rejects plans whose variants would share a name or a folder. Each run's scenario is validated by
    /// `scenarios()`, which the runner calls before the first run starts.
    private static func checked(_ plan: ExperimentPlan) throws(ScenarioError) -> ExperimentPlan {
        let where_ = plan.kind == .sweep ? "sweep" : "compare.variants"
        for (index, variant) in plan.variants.enumerated() {
            if plan.variants[..<index].contains(where: { $0.label == variant.label || $0.folderStem == variant.folderStem }) {
                throw ScenarioError(file: plan.scenarioFile, keyPath: where_, message: "two variants are both named '\(variant.label)'; "
                    + "give each a distinct name")
            }
        }
        return plan
    }
}
