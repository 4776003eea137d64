import Foundation

/// The runs of a sweep or a comparison: variants of one scenario, each a set of key assignments, each
/// run `repeats` times with seeds `seed`, `seed + 1`, ….
///
/// The plan is written to the experiment folder as `experiment.json`; running the same command again
/// finds it, checks it is the same plan, and carries on where the last invocation stopped.
package struct ExperimentPlan: Sendable, Equatable, Codable {
    /// A sweep takes the cartesian product of its axes; a comparison runs a list of named variants.
    package enum Kind: String, Sendable, Codable { case sweep, compare }

    /// One swept key and its values, as JSON texts (`0.5`, `"fedadam"`).
    package struct Axis: Sendable, Equatable, Codable {
        package var key: String
        package var values: [String]
    }

    /// One point of the grid, or one named variant of a comparison.
    package struct Variant: Sendable, Equatable, Codable {
        /// How tables and legends name it: `epsilon=2, cohortSize=100`, or the comparison's name.
        package var label: String
        /// `key.path=json` assignments applied on top of the scenario (and its --set values).
        package var assignments: [String]
        /// The variant's value on each axis, as JSON texts (sweeps only; empty for a comparison).
        package var coordinates: [String]
        /// The folder-name stem of its runs.
        package var folderStem: String
    }

    /// One run: a variant and a repeat, with its seed and folder (relative to the experiment folder).
    package struct Run: Sendable, Equatable, Codable {
        package var variant: Int
        package var repeatIndex: Int
        package var seed: Int
        package var folder: String
    }

    package var kind: Kind
    package var scenarioFile: String
    /// The scenario file's text when the experiment started; a changed file is not continued silently.
    package var scenarioText: String
    /// `--set` assignments applied to every run before the variant's own.
    package var overrides: [String]
    package var axes: [Axis]
    package var variants: [Variant]
    package var repeats: Int
    package var runs: [Run]

    /// The full list of assignments for `run`: the common overrides, the variant's, then its seed.
    package func assignments(for run: Run) -> [String] {
        overrides + variants[run.variant].assignments + ["seed=\(run.seed)"]
    }

    /// The runs' scenarios, each validated; the first bad value stops everything before any run starts.
    package func scenarios() throws(ScenarioError) -> [Scenario] {
        var scenarios: [Scenario] = []
        for run in runs {
            scenarios.append(try Scenario(json: Data(scenarioText.utf8), file: scenarioFile, overrides: assignments(for: run)))
        }
        return scenarios
    }

    /// A plan from its parts: variants crossed with repeats, seeds counted up from `baseSeed`.
    init(kind: Kind, scenarioFile: String, scenarioText: String, overrides: [String], axes: [Axis],
         variants: [Variant], repeats: Int, baseSeed: Int) {
        self.kind = kind
        self.scenarioFile = scenarioFile
        self.scenarioText = scenarioText
        self.overrides = overrides
        self.axes = axes
        self.variants = variants
        self.repeats = repeats
        runs = variants.indices.flatMap { variant in
            (0..<repeats).map { index in
                Run(variant: variant, repeatIndex: index, seed: baseSeed + index,
                    folder: variants[variant].folderStem + (repeats > 1 ? "_r\(index + 1)" : ""))
            }
        }
    }

    /// The variants of a sweep: every combination of the axes' values, the first axis varying slowest.
    static func gridVariants(_ axes: [Axis]) -> [Variant] {
        let names = axisNames(axes.map(\.key))
        var combinations: [[Int]] = [[]]
        for axis in axes {
            combinations = combinations.flatMap { prefix in axis.values.indices.map { prefix + [$0] } }
        }
        return combinations.map { choice in
            let coordinates = zip(axes, choice).map { $0.values[$1] }
            let parts = zip(names, coordinates).map { "\($0)=\(displayValue($1))" }
            return Variant(label: parts.joined(separator: ", "),
                           assignments: zip(axes, coordinates).map { "\($0.key)=\($1)" },
                           coordinates: coordinates, folderStem: folderName(parts.joined(separator: "_")))
        }
    }

    /// Short names for axes: the last path component, or the whole path where two would collide.
    static func axisNames(_ keys: [String]) -> [String] {
        let last = keys.map { String($0.split(separator: ".").last ?? Substring($0)) }
        return zip(keys, last).map { key, name in last.filter { $0 == name }.count > 1 ? key : name }
    }

    /// A JSON value as people write it: strings without their quotes.
    package static func displayValue(_ json: String) -> String {
        if json == "null" { return "–" }  // a variant on no axis (a sweep's reference)
        if let text = (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])) as? String {
            return text
        }
        return json
    }

    /// `text` made safe as a folder name on any file system: letters, digits and `.=_+-` kept.
    static func folderName(_ text: String) -> String {
        let kept = text.map { $0.isASCII && ($0.isLetter || $0.isNumber || ".=_+-".contains($0)) ? $0 : "-" }
        return String(kept.prefix(120))
    }
}
