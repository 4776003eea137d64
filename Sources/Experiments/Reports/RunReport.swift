import Federation
import Foundation

/// `report.html` for one run folder: the summary's figures, and the task's primary metric, training loss
/// and (with differential privacy) ε spent against the round.
package enum RunReport {
    /// Writes `folder/report.html` from the folder's files.
    package static func write(folder: String) throws {
        let html = try self.html(folder: folder)
        try Data(html.utf8).write(to: URL(fileURLWithPath: folder).appendingPathComponent("report.html"), options: .atomic)
    }

    /// The report of the run in `folder` (which needs at least `metrics.jsonl`).
    package static func html(folder: String) throws -> String {
        let url = URL(fileURLWithPath: folder)
        let metricsURL = url.appendingPathComponent("metrics.jsonl")
        guard FileManager.default.fileExists(atPath: metricsURL.path) else {
            throw RunError(description: "\(folder): not a run folder (no metrics.jsonl)")
        }
        let metrics: [RoundMetrics]
        var summary: RunSummary?
        do {
            metrics = try RoundMetrics.read(from: metricsURL)
            let summaryURL = url.appendingPathComponent("summary.json")
            if FileManager.default.fileExists(atPath: summaryURL.path) {
                summary = try RunSummary.read(from: summaryURL)
            }
        } catch let error as RunError {
            throw error
        } catch {
            throw RunError(description: "\(folder): cannot be read (\(error.localizedDescription))")
        }
        let name = summary?.name ?? url.lastPathComponent
        var body = "<h1>\(ReportFormat.escaped(name))</h1>\n<p class=\"meta\">Run folder \(ReportFormat.escaped(folder)); "
            + (summary.map { "\($0.roundsCompleted) rounds completed." } ?? "unfinished: \(metrics.last?.round ?? 0) rounds so far.")
            + " Run by " + ReportFormat.escaped(RunBuildRecord.read(folder: url) ?? "an earlier Murmur (no build.json)")
            + "; this report drawn by " + ReportFormat.escaped(MurmurBuild.description) + ".</p>\n"
        if let summary, let warning = RunReporter.baselinesBeaten(summary) {
            body += "<p class=\"warning\"><strong>Final \(ReportFormat.escaped(summary.primaryMetric.label)) "
                + "\(ReportFormat.escaped(warning)).</strong></p>\n"
        }
        if let summary { body += "<h2>Summary</h2>\n" + summaryTable(summary) }
        body += RunSetup.html(folder: url, summary: summary)
        if let devices = summary?.devices { body += "<h2>Devices</h2>\n" + DeviceReport.classTable(devices) }
        let series = { (points: [ChartPoint]) in [ChartSeries(name: name, legend: name, style: ChartStyle(index: 0), points: points)] }
        var figures = ""
        let metric = summary?.primaryMetric ?? TaskMetric.primary(inLines: metrics)
        if let metric {
            let reference = summary?.baselines.filter { $0.metric == metric.name } ?? []
            let byRound = ChartPoint.byRound(metrics) { $0.metric(metric.name) }
            if !byRound.isEmpty {
                let lines = baselineSeries(reference, from: byRound.first!.x, to: max(byRound.last!.x, byRound.first!.x + 1))
                figures += ReportPage.figure(LineChart(title: metric.label.capitalizedFirst, xLabel: "round", yLabel: metric.label,
                                                       yScale: .suited(to: byRound + lines.flatMap(\.points)), markers: true,
                                                       series: series(byRound) + lines),
                                             caption: "The global model's \(metric.label) on the held-out users, on evaluation rounds"
                                                 + reference.map { "; the \($0.name) model scores \(ReportFormat.significant($0.value, digits: 4))" }.joined()
                                                 + ".")
            }
            let byHour = metrics.compactMap { line in
                line.metric(metric.name).flatMap { value in line.simulatedSeconds.map { ChartPoint(x: $0 / 3600, y: value) } }
            }
            if !byHour.isEmpty {
                figures += ReportPage.figure(LineChart(title: "\(metric.label.capitalizedFirst) in simulated time",
                                                       xLabel: "simulated time (hours)", yLabel: metric.label,
                                                       yScale: .suited(to: byHour), markers: true, series: series(byHour)),
                                             caption: "The same evaluations against the simulated clock: what a deployment would wait"
                                                 + (summary?.timeToTarget.map { " (target \(ReportFormat.significant($0.target, digits: 4)))" } ?? "")
                                                 + ".")
            }
        }
        if let devices = DeviceReport.participationChart(metrics) { figures += devices }
        let loss = ChartPoint.byRound(metrics, \.trainLoss)
        if !loss.isEmpty {
            figures += ReportPage.figure(LineChart(title: "Training loss", xLabel: "round", yLabel: "mean client loss (nats per target)",
                                                   series: series(loss)),
                                         caption: "Mean cross-entropy over the cohort's local steps in each round.")
        }
        let epsilon = ChartPoint.byRound(metrics, \.epsilonShown)
        if !epsilon.isEmpty {
            figures += ReportPage.figure(LineChart(title: "Privacy spent", xLabel: "round", yLabel: "ε as run", series: series(epsilon)),
                                         caption: "ε after each round, as the rounds actually ran" + (summary?.privacy.map { " at δ = \(ReportFormat.significant($0.delta, digits: 3)) "
                                             + ($0.epsilonAsRun != nil ? "(rdp accountant, the real cohort)" : "(\($0.accountant) accountant, \($0.relation))") } ?? "") + ".")
        }
        let ratios = ChartPoint.byRound(metrics, \.signalToNoise)
        if !ratios.isEmpty {
            figures += ReportPage.figure(LineChart(title: "Signal to noise", xLabel: "round", yLabel: "‖Σ clipped updates‖ / ‖noise‖",
                                                   series: series(ratios)),
                                         caption: "The aggregate's signal-to-noise ratio each round; below "
                                             + PrivacyDisplay.signalToNoise(PrivacyDisplay.swampedBelow) + " the noise swamps the signal.")
        }
        figures += UpdateNormReport.figures(metrics)
        body += "<h2>Curves</h2>\n<div class=\"charts\">\n\(figures)</div>\n"
        return ReportPage.html(title: "\(name) — Murmur run", body: body)
    }

    /// Each baseline as a flat dashed line across the rounds plotted, labelled with its value.
    static func baselineSeries(_ baselines: [TaskBaseline], from start: Double, to end: Double) -> [ChartSeries] {
        baselines.enumerated().map { index, baseline in
            let label = "\(baseline.name) \(baseline.name == "non-private" ? "run" : "baseline") (\(ReportFormat.significant(baseline.value, digits: 4)))"
            return ChartSeries(name: label, legend: label, style: ChartStyle(index: ChartStyle.referenceIndex + index),
                               points: [ChartPoint(x: start, y: baseline.value), ChartPoint(x: end, y: baseline.value)])
        }
    }

    private static func summaryTable(_ summary: RunSummary) -> String {
        let primary = summary.primaryMetric
        var rows: [[String]] = [
            ["final \(primary.label)", summary.finalPrimary.map { ReportFormat.significant($0, digits: 4) } ?? "–"],
            ["best \(primary.label)", summary.bestPrimary.map { ReportFormat.significant($0, digits: 4) } ?? "–"],
        ]
        for metric in summary.metrics.dropFirst() where metric.isHeadline {
            rows.append(["final \(metric.label)", summary.finalMetrics?[metric.name].map { ReportFormat.significant($0, digits: 4) } ?? "–"])
        }
        for baseline in summary.baselines {
            let label = summary.metrics.first { $0.name == baseline.metric }?.label ?? baseline.metric
            rows.append(["\(baseline.name) \(label)", ReportFormat.significant(baseline.value, digits: 4)])
        }
        rows += [
            ["parameters", String(summary.parameters)],
            ["bytes up / down", "\(ReportFormat.bytes(Double(summary.bytesUp))) / \(ReportFormat.bytes(Double(summary.bytesDown)))"],
            ["wall time", ReportFormat.significant(summary.trainingWallSeconds, digits: 3) + " s on \(summary.threads) threads"],
        ]
        if let privacy = summary.privacy {
            rows.append(["ε as run", "\(ReportFormat.epsilon(privacy.epsilonShown)) at δ = \(ReportFormat.significant(privacy.delta, digits: 3))"
                + (privacy.deploymentEpsilon == nil ? (privacy.epsilonBudget.map { " of a budget of \(ReportFormat.epsilon($0))" } ?? "") : "")
                + (privacy.stoppedAtBudget && privacy.deploymentEpsilon == nil ? " (stopped at the budget)" : "")])
            if let deployment = privacy.deploymentEpsilon {
                rows.append(["ε for the noise cohort", deployment
                    + (privacy.epsilonBudget.map { " (budget \(ReportFormat.epsilon($0)))" } ?? "")
                    + (privacy.stoppedAtBudget ? " (stopped at the budget)" : "")])
            }
            if let participation = RunReporter.participationNote(privacy) {
                rows.append(["participation", String(participation.dropFirst("participation: ".count))])
            }
            if let ratio = privacy.meanSignalToNoise {
                rows.append(["mean signal-to-noise", PrivacyDisplay.signalToNoise(ratio)
                    + (privacy.signalToNoiseWarning.map { " — WARNING: " + $0 } ?? "")])
            }
            rows.append(["noise multiplier", ReportFormat.significant(privacy.noiseMultiplier, digits: 4) + ", clip \(ReportFormat.significant(privacy.clipBound, digits: 3))"])
        }
        if let audit = summary.audit { rows.append(["privacy audit", AuditDisplay.line(audit)]) }
        if let devices = summary.devices {
            rows.append(["simulated time", ReportFormat.significant(devices.simulatedSeconds / 3600, digits: 3) + " h ("
                + ReportFormat.significant(devices.meanRoundSimulatedSeconds, digits: 3) + " s a round)"])
        }
        if let target = summary.timeToTarget {
            let reached = target.round.map { round in
                "round \(round)" + (target.simulatedHours.map { ", " + ReportFormat.significant($0, digits: 3) + " simulated h" } ?? "")
                    + (target.wallSeconds.map { ", " + ReportFormat.significant($0, digits: 3) + " s wall" } ?? "")
            } ?? "not reached"
            let label = summary.metrics.first { $0.name == target.metric }?.label ?? target.metric
            rows.append(["time to \(label) \(ReportFormat.significant(target.target, digits: 4))", reached])
        }
        if let secure = summary.secureAggregation {
            rows.append(["secure aggregation", "\(secure.protocolKind): \(secure.failedRounds) of \(secure.rounds) rounds failed, "
                + "\(secure.clientsDropped) clients dropped"])
        }
        return ReportPage.table(headings: ["figure", "value"], rows: rows, numericFrom: 2)
    }
}

extension ChartPoint {
    /// A metric against the round, for the metrics lines that have it (evaluation rounds, private runs).
    static func byRound(_ metrics: [RoundMetrics], _ value: (RoundMetrics) -> Double?) -> [ChartPoint] {
        metrics.compactMap { line in value(line).map { ChartPoint(x: Double(line.round), y: $0) } }
    }
}

extension TaskMetric {
    /// The primary metric of the task whose metrics the lines carry, for a run folder without a summary.
    static func primary(inLines lines: [RoundMetrics]) -> TaskMetric? {
        let names = Set(lines.compactMap(\.evaluation).flatMap(\.keys))
        return TaskSpecification.allMetrics.first { names.contains($0[0].name) }?.first
    }
}

extension String {
    /// The text with its first letter in upper case (a label as a title).
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
