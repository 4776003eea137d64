import Federation
import Foundation

/// The experiment's table: a row per variant with final and best metrics over its finished repeats
/// (mean and sample standard deviation), ε as run (and, under a noise cohort, the ε of that simulated
/// cohort, labelled with it), bytes, and simulated and wall time.
package struct ExperimentTable: Sendable {
    /// One variant's figures.
    package struct Row: Sendable, Equatable {
        package var label: String
        /// The variant's value on each sweep axis (display form).
        package var coordinates: [String]
        package var finished: Int
        package var planned: Int
        /// The task's primary metric at the end and at its best, and each headline metric at the end.
        package var finalPrimary: Spread?
        package var bestPrimary: Spread?
        package var finalHeadlines: [Spread?]
        /// ε as the runs actually spent it.
        package var epsilon: Spread?
        /// Under a noise cohort: the ε accounted for it, and the cohort it assumes ("a cohort of 1000 of
        /// 20000 users"); nil otherwise.
        package var noiseCohortEpsilon: Spread?
        package var noiseCohort: String?
        package var bytesUp: Spread?
        package var bytesDown: Spread?
        /// Simulated device time; nil until runs simulate devices (docs/experiments.md).
        package var simulatedSeconds: Spread?
        package var wallSeconds: Spread?
    }

    package var axisKeys: [String]
    /// The task's primary metric, and the headline metrics shown beside it.
    package var primary: TaskMetric
    package var headlines: [TaskMetric]
    package var rows: [Row]

    package init(_ results: ExperimentResults) {
        let plan = results.plan
        axisKeys = plan.axes.map(\.key)
        let metrics = results.taskMetrics
        let primary = metrics[0], headlines = metrics.dropFirst().filter(\.isHeadline)
        (self.primary, self.headlines) = (primary, Array(headlines))
        rows = plan.variants.enumerated().map { index, variant in
            let runs = results.finishedSummaries(variant: index)
            return Row(label: variant.label, coordinates: variant.coordinates.map(ExperimentPlan.displayValue),
                       finished: runs.count, planned: plan.repeats,
                       finalPrimary: Spread(runs.compactMap(\.finalPrimary)), bestPrimary: Spread(runs.compactMap(\.bestPrimary)),
                       finalHeadlines: headlines.map { metric in Spread(runs.compactMap { $0.finalMetrics?[metric.name] }) },
                       epsilon: Spread(runs.compactMap { $0.privacy?.epsilonShown }),
                       noiseCohortEpsilon: Spread(runs.compactMap { $0.privacy?.noiseCohortSize == nil ? nil : $0.privacy?.epsilon }),
                       noiseCohort: runs.lazy.compactMap(\.privacy).first { $0.noiseCohortSize != nil }.flatMap { p in
                           p.populationSize.map { "a cohort of \(p.noiseCohortSize!) of \($0) users" } },
                       bytesUp: Spread(runs.map { Double($0.bytesUp) }), bytesDown: Spread(runs.map { Double($0.bytesDown) }),
                       simulatedSeconds: Spread(runs.compactMap { $0.devices?.simulatedSeconds }), wallSeconds: Spread(runs.map(\.trainingWallSeconds)))
        }
    }

    /// `table.csv`: one line per variant, mean and standard deviation in their own columns (empty when
    /// not defined), full precision, for plotting elsewhere.
    package var csv: String {
        let figures = ["final\(primary.name.capitalizedFirst)", "best\(primary.name.capitalizedFirst)"]
            + headlines.map { "final\($0.name.capitalizedFirst)" } + ["epsilonAsRun", "epsilonNoiseCohort", "bytesUp", "bytesDown", "simulatedSeconds", "wallSeconds"]
        var lines = [(["variant"] + axisKeys + ["runsFinished", "runsPlanned"]
                      + figures.flatMap { ["\($0)Mean", "\($0)SD"] }).map(Self.csvField).joined(separator: ",")]
        for row in rows {
            let spreads = [row.finalPrimary, row.bestPrimary] + row.finalHeadlines
                + [row.epsilon, row.noiseCohortEpsilon, row.bytesUp, row.bytesDown, row.simulatedSeconds, row.wallSeconds]
            let cells = [row.label] + row.coordinates + [String(row.finished), String(row.planned)]
                + spreads.flatMap { [$0.map { "\($0.mean)" } ?? "", $0?.standardDeviation.map { "\($0)" } ?? ""] }
            lines.append(cells.map(Self.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether some variant's ε is accounted for a noise cohort (the table then has a column for it).
    package var hasNoiseCohort: Bool { rows.contains { $0.noiseCohortEpsilon != nil } }

    /// The column headings people read, with units.
    package var headings: [String] {
        ["variant", "runs", "final \(primary.label)", "best \(primary.label)"] + headlines.map { "final \($0.label)" }
            + ["ε as run"] + (hasNoiseCohort ? ["ε for the noise cohort"] : []) + ["bytes up / run", "bytes down / run", "simulated time", "wall time"]
    }

    /// Each row's cells as people read them: `53.1 ± 0.4`, `19.1%`, `1.2 MB`, `–` for what does not apply.
    package var displayRows: [[String]] {
        let noiseColumn = hasNoiseCohort
        return rows.map { row in
            let metrics: [String] = [Self.display(row.finalPrimary, of: primary), Self.display(row.bestPrimary, of: primary)]
                + zip(headlines, row.finalHeadlines).map { metric, spread in Self.display(spread, of: metric) }
            var privacy: [String] = [Self.display(row.epsilon, digits: 4)]
            if noiseColumn {
                privacy.append(row.noiseCohortEpsilon.map { Self.display($0, digits: 4) + " for " + (row.noiseCohort ?? "the noise cohort") } ?? "–")
            }
            let costs: [String] = [row.bytesUp.map { ReportFormat.bytes($0.mean) } ?? "–", row.bytesDown.map { ReportFormat.bytes($0.mean) } ?? "–",
                                   Self.display(row.simulatedSeconds, digits: 3, unit: " s"), Self.display(row.wallSeconds, digits: 3, unit: " s")]
            return [row.label, "\(row.finished)/\(row.planned)"] + metrics + privacy + costs
        }
    }

    /// `table.md`: the display table as Markdown.
    package var markdown: String {
        var lines = ["| " + headings.joined(separator: " | ") + " |",
                     "|" + headings.indices.map { $0 == 0 ? " --- " : " ---: " }.joined(separator: "|") + "|"]
        for cells in displayRows {
            lines.append("| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func display(_ spread: Spread?, digits: Int, unit: String = "") -> String {
        guard let spread else { return "–" }
        let mean = ReportFormat.significant(spread.mean, digits: digits)
        guard let deviation = spread.standardDeviation else { return mean + unit }
        return "\(mean) ± \(ReportFormat.significant(deviation, digits: 2))\(unit)"
    }

    /// A metric's spread as people read it: fractions (accuracies, error rates) as percentages to 3
    /// digits, anything else (perplexity, a loss) to 4.
    private static func display(_ spread: Spread?, of metric: TaskMetric) -> String {
        guard metric.isFraction else { return display(spread, digits: 4) }
        let percentage: Spread? = spread.map { Spread(scaledBy: 100, $0) }
        return display(percentage, digits: 3, unit: "%")
    }

    private static func csvField(_ text: String) -> String {
        text.contains(where: { ",\"\n".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}

extension Spread {
    /// The same spread in other units (a fraction as a percentage).
    init(scaledBy factor: Double, _ spread: Spread) {
        self = spread
        mean *= factor
        standardDeviation = spread.standardDeviation.map { $0 * factor }
    }
}
