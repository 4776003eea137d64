import Federation
import Foundation

/// The outputs of a sweep or comparison folder: `table.csv`, `table.md` and `report.html`, drawn from
/// the runs' files alone.
///
/// The report has the table, every run's primary metric (validation perplexity, word error rate), its
/// headline metrics (top-1 accuracy, character error rate) and
/// training loss against the round (one line per run, coloured by variant), ε against the round for
/// private runs, and a summary plot: the final primary metric against ε spent for runs with differential
/// privacy, otherwise against the first swept value when it is a number; error bars are one standard
/// deviation over the repeats.
package enum ExperimentReport {
    /// Which ε the utility-against-ε plot and the ε curves use.
    package enum EpsilonAxis: String, Sendable, CaseIterable {
        /// ε as the runs actually spent it (the default: what a deployment of exactly that run would claim).
        case asRun
        /// ε as accounted, which under a noise cohort is the simulated cohort's (pfl-research's figure).
        case accounted
    }

    /// Writes the tables and the report into `folder`.
    package static func write(folder: String, epsilonAxis: EpsilonAxis = .asRun) throws {
        let results = try ExperimentResults.load(folder: folder)
        let table = ExperimentTable(results)
        let url = URL(fileURLWithPath: folder)
        try Data(table.csv.utf8).write(to: url.appendingPathComponent("table.csv"), options: .atomic)
        try Data(table.markdown.utf8).write(to: url.appendingPathComponent("table.md"), options: .atomic)
        try Data(html(results, table: table, epsilonAxis: epsilonAxis).utf8).write(to: url.appendingPathComponent("report.html"), options: .atomic)
    }

    /// The report page.
    package static func html(_ results: ExperimentResults, table: ExperimentTable, epsilonAxis: EpsilonAxis = .asRun) -> String {
        let plan = results.plan
        let name = results.records.first?.summary?.name ?? URL(fileURLWithPath: results.folder).lastPathComponent
        let what = plan.kind == .sweep
            ? "Sweep over " + plan.axes.map { "\($0.key) = \($0.values.map(ExperimentPlan.displayValue).joined(separator: ", "))" }.joined(separator: " × ")
            : "Comparison of " + plan.variants.map(\.label).joined(separator: ", ")
        let finished = results.records.filter { $0.summary != nil }.count
        var body = "<h1>\(ReportFormat.escaped(name)): \(plan.kind == .sweep ? "sweep" : "comparison")</h1>\n"
        body += "<p>\(ReportFormat.escaped(what))"
            + (plan.repeats > 1 ? ", \(plan.repeats) repeats each (seeds \(plan.runs[0].seed)–\(plan.runs[0].seed + plan.repeats - 1))" : "") + ".</p>\n"
        body += "<p class=\"meta\">Scenario \(ReportFormat.escaped(plan.scenarioFile))"
            + (plan.overrides.isEmpty ? "" : " with " + ReportFormat.escaped(plan.overrides.joined(separator: ", ")))
            + "; \(finished) of \(plan.runs.count) runs finished; folder \(ReportFormat.escaped(results.folder)).</p>\n"
        body += "<h2>Results</h2>\n"
            + ReportPage.table(headings: table.headings, rows: table.displayRows)
            + "<p class=\"meta\">Mean ± sample standard deviation over the finished repeats; bytes are per run. "
            + "Simulated time is shown for runs that simulate devices (a devices section, or murmur replay).</p>\n"

        var figures = ""
        if let chart = summaryChart(results, table: table, epsilonAxis: epsilonAxis) { figures += chart }
        // The primary metric, then the headlines (top-1 accuracy, CER): early in a speech run WER sits near
        // 100% while CER moves.
        for metric in [table.primary] + table.headlines {
            let evaluated = results.records.flatMap { ChartPoint.byRound($0.metrics) { $0.metric(metric.name) } }
            figures += curve(results, title: metric.label.capitalizedFirst, yLabel: metric.label, scale: .suited(to: evaluated),
                             caption: "The held-out \(metric.label) on evaluation rounds, one line per run; repeats share their "
                                + "variant's colour.") { $0.metric(metric.name) }
        }
        figures += curve(results, title: "Training loss", yLabel: "mean client loss (nats per target)", scale: .linear,
                         caption: "Mean cross-entropy over each round's local steps, one line per run.") { $0.trainLoss }
        if results.records.contains(where: { $0.metrics.contains { $0.epsilon != nil } }) {
            let asRun = epsilonAxis == .asRun
            figures += curve(results, title: "Privacy spent", yLabel: asRun ? "ε as run" : "ε as accounted", scale: .linear,
                             caption: "ε after each round, one line per run" + (asRun ? ", as the rounds actually ran"
                                 : ", as accounted (for the noise cohort, where one is set)") + ".") { asRun ? $0.epsilonShown : $0.epsilon }
        }
        body += "<h2>Plots</h2>\n<div class=\"charts\">\n\(figures)</div>\n"
        return ReportPage.html(title: "\(name) — Murmur \(plan.kind == .sweep ? "sweep" : "comparison")", body: body)
    }

    /// A metric against the round, one series per run.
    private static func curve(_ results: ExperimentResults, title: String, yLabel: String, scale: ChartAxis.Scale, caption: String,
                              value: (RoundMetrics) -> Double?) -> String {
        let plan = results.plan
        let series = results.records.map { record in
            let variant = plan.variants[record.run.variant]
            return ChartSeries(name: variant.label + (plan.repeats > 1 ? ", seed \(record.run.seed)" : ""), legend: variant.label,
                               style: ChartStyle(index: record.run.variant),
                               points: ChartPoint.byRound(record.metrics, value))
        }.filter { !$0.points.isEmpty }
        guard !series.isEmpty else { return "" }
        return ReportPage.figure(LineChart(title: title, xLabel: "round", yLabel: yLabel, yScale: scale, series: series), caption: caption)
    }

    /// The final primary metric against ε spent (private runs) or against the first swept number, one series
    /// per combination of the other axes, with error bars over repeats.
    private static func summaryChart(_ results: ExperimentResults, table: ExperimentTable, epsilonAxis: EpsilonAxis) -> String? {
        let plan = results.plan
        let private_ = table.rows.contains { $0.epsilon != nil }
        let xAxis: Int?  // the sweep axis plotted along x when not ε
        if private_ {
            xAxis = nil
        } else if plan.kind == .sweep, let first = plan.axes.first,
                  first.values.allSatisfy({ Double($0) != nil }), first.values.count > 1 {
            xAxis = 0
        } else {
            return nil
        }
        // Variants that differ only in the plotted quantity form one series.
        var groups: [(label: String, rows: [Int])] = []
        let names = ExperimentPlan.axisNames(plan.axes.map(\.key))
        for (index, variant) in plan.variants.enumerated() {
            let others = zip(plan.axes, variant.coordinates).enumerated().filter { axis, pair in
                private_ ? !pair.0.key.hasPrefix("privacy.") : axis != xAxis
            }
            let label = plan.kind == .compare ? variant.label
                : others.map { "\(names[$0.offset])=\(ExperimentPlan.displayValue($0.element.1))" }.joined(separator: ", ")
            if let existing = groups.firstIndex(where: { $0.label == label }) {
                groups[existing].rows.append(index)
            } else {
                groups.append((label, [index]))
            }
        }
        let series = groups.enumerated().map { groupIndex, group in
            let points = group.rows.compactMap { row -> ChartPoint? in
                guard let final = table.rows[row].finalPrimary else { return nil }
                let epsilon = epsilonAxis == .asRun ? table.rows[row].epsilon : table.rows[row].noiseCohortEpsilon ?? table.rows[row].epsilon
                let x = private_ ? epsilon?.mean : Double(plan.variants[row].coordinates[xAxis!])
                return x.map { ChartPoint(x: $0, y: final.mean, spread: final.standardDeviation) }
            }.sorted { $0.x < $1.x }
            let name = group.label.isEmpty ? "final \(table.primary.label)" : group.label
            return ChartSeries(name: name, legend: name,
                               style: ChartStyle(index: groupIndex), points: points)
        }.filter { !$0.points.isEmpty }
        guard !series.isEmpty else { return nil }
        // Reference lines across the plotted range: the task's baselines and, in a privacy sweep, the final
        // metric of any run without privacy (the non-private reference).
        let xs = series.flatMap(\.points).map(\.x)
        var references = [TaskBaseline]()
        if let summary = results.records.lazy.compactMap(\.summary).first {
            references = summary.baselines.filter { $0.metric == table.primary.name }
        }
        if private_ {
            let open = results.records.compactMap { $0.summary?.privacy == nil ? $0.summary?.finalPrimary : nil }
            if !open.isEmpty { references.append(TaskBaseline(name: "non-private", metric: table.primary.name,
                                                              value: open.reduce(0, +) / Double(open.count))) }
        }
        let lines = RunReport.baselineSeries(references, from: xs.min()!, to: max(xs.max()!, xs.min()! + 1))
        let delta = results.records.lazy.compactMap { $0.summary?.privacy?.delta }.first
        let noiseCohort = table.rows.lazy.compactMap(\.noiseCohort).first
        let xName = epsilonAxis == .asRun ? "ε as run" : noiseCohort.map { "ε for \($0)" } ?? "ε as accounted"
        let xLabel = private_ ? xName + (delta.map { " (δ = \(ReportFormat.significant($0, digits: 3)))" } ?? "")
            : plan.axes[xAxis!].key
        let title = private_ ? "Utility against privacy" : "Final \(table.primary.label) against \(plan.axes[xAxis!].key)"
        return ReportPage.figure(LineChart(title: title, xLabel: xLabel, yLabel: "final \(table.primary.label)", markers: true,
                                           series: series + lines),
                                 caption: "Mean final \(table.primary.label) of each variant"
                                    + (plan.repeats > 1 ? ", with ± one standard deviation over its repeats" : "")
                                    + (private_ ? (epsilonAxis == .asRun ? "; ε is what the runs spent as they ran"
                                        + (noiseCohort.map { " (not the ε for \($0) their noise was set for; `murmur report --epsilon accounted` plots that)" } ?? "")
                                        : "; ε is as accounted" + (noiseCohort.map { ", for \($0) (as run it is larger)" } ?? "")) : "")
                                    + (lines.isEmpty ? "." : "; dashed lines: " + lines.map(\.name).joined(separator: ", ") + "."))
    }
}
