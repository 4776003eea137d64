import Foundation

/// `report.html` for one run folder: the summary's figures, and validation perplexity, training loss
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
                summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: summaryURL))
            }
        } catch {
            throw RunError(description: "\(folder): cannot be read (\(error.localizedDescription))")
        }
        let name = summary?.name ?? url.lastPathComponent
        var body = "<h1>\(ReportFormat.escaped(name))</h1>\n<p class=\"meta\">Run folder \(ReportFormat.escaped(folder)); "
            + (summary.map { "\($0.roundsCompleted) rounds completed." } ?? "unfinished: \(metrics.last?.round ?? 0) rounds so far.")
            + "</p>\n"
        if let summary { body += "<h2>Summary</h2>\n" + summaryTable(summary) }
        if let devices = summary?.devices { body += "<h2>Devices</h2>\n" + DeviceReport.classTable(devices) }
        let series = { (points: [ChartPoint]) in [ChartSeries(name: name, legend: name, style: ChartStyle(index: 0), points: points)] }
        var figures = ""
        let perplexity = ChartPoint.byRound(metrics, \.validationPerplexity)
        if !perplexity.isEmpty {
            figures += ReportPage.figure(LineChart(title: "Validation perplexity", xLabel: "round", yLabel: "validation perplexity",
                                                   yScale: .logarithmic, markers: true, series: series(perplexity)),
                                         caption: "Perplexity of the held-out users' text under the global model, on evaluation rounds"
                                             + (summary.map { "; the unigram model scores \(ReportFormat.significant($0.unigramPerplexity, digits: 4))" } ?? "") + ".")
        }
        let byHour = metrics.compactMap { line in
            line.validationPerplexity.flatMap { perplexity in line.simulatedSeconds.map { ChartPoint(x: $0 / 3600, y: perplexity) } }
        }
        if !byHour.isEmpty {
            figures += ReportPage.figure(LineChart(title: "Perplexity in simulated time", xLabel: "simulated time (hours)",
                                                   yLabel: "validation perplexity", yScale: .logarithmic, markers: true,
                                                   series: series(byHour)),
                                         caption: "The same evaluations against the simulated clock: what a deployment would wait"
                                             + (summary?.timeToTarget.map { " (target \(ReportFormat.significant($0.targetPerplexity, digits: 4)))" } ?? "")
                                             + ".")
        }
        if let devices = DeviceReport.participationChart(metrics) { figures += devices }
        let loss = ChartPoint.byRound(metrics, \.trainLoss)
        if !loss.isEmpty {
            figures += ReportPage.figure(LineChart(title: "Training loss", xLabel: "round", yLabel: "mean client loss (nats/token)",
                                                   series: series(loss)),
                                         caption: "Mean cross-entropy over the cohort's local steps in each round.")
        }
        let epsilon = ChartPoint.byRound(metrics, \.epsilon)
        if !epsilon.isEmpty {
            figures += ReportPage.figure(LineChart(title: "Privacy spent", xLabel: "round", yLabel: "ε spent", series: series(epsilon)),
                                         caption: "ε after each round" + (summary?.privacy.map { " at δ = \(ReportFormat.significant($0.delta, digits: 3)) "
                                             + "(\($0.accountant) accountant, \($0.relation))" } ?? "") + ".")
        }
        body += "<h2>Curves</h2>\n<div class=\"charts\">\n\(figures)</div>\n"
        return ReportPage.html(title: "\(name) — Murmur run", body: body)
    }

    private static func summaryTable(_ summary: RunSummary) -> String {
        var rows: [[String]] = [
            ["final validation perplexity", summary.finalValidationPerplexity.map { ReportFormat.significant($0, digits: 4) } ?? "–"],
            ["best validation perplexity", summary.bestValidationPerplexity.map { ReportFormat.significant($0, digits: 4) } ?? "–"],
            ["final top-1 accuracy", summary.finalTop1Accuracy.map { ReportFormat.significant($0 * 100, digits: 3) + "%" } ?? "–"],
            ["unigram perplexity", ReportFormat.significant(summary.unigramPerplexity, digits: 4)],
            ["parameters", String(summary.parameters)],
            ["bytes up / down", "\(ReportFormat.bytes(Double(summary.bytesUp))) / \(ReportFormat.bytes(Double(summary.bytesDown)))"],
            ["wall time", ReportFormat.significant(summary.trainingWallSeconds, digits: 3) + " s on \(summary.threads) threads"],
        ]
        if let privacy = summary.privacy {
            rows.append(["ε spent", "\(ReportFormat.significant(privacy.epsilon, digits: 4)) at δ = \(ReportFormat.significant(privacy.delta, digits: 3))"
                + (privacy.stoppedAtBudget ? " (stopped at the budget)" : "")])
            rows.append(["noise multiplier", ReportFormat.significant(privacy.noiseMultiplier, digits: 4) + ", clip \(ReportFormat.significant(privacy.clipBound, digits: 3))"])
        }
        if let devices = summary.devices {
            rows.append(["simulated time", ReportFormat.significant(devices.simulatedSeconds / 3600, digits: 3) + " h ("
                + ReportFormat.significant(devices.meanRoundSimulatedSeconds, digits: 3) + " s a round)"])
        }
        if let target = summary.timeToTarget {
            let reached = target.round.map { round in
                "round \(round)" + (target.simulatedHours.map { ", " + ReportFormat.significant($0, digits: 3) + " simulated h" } ?? "")
                    + (target.wallSeconds.map { ", " + ReportFormat.significant($0, digits: 3) + " s wall" } ?? "")
            } ?? "not reached"
            rows.append(["time to perplexity \(ReportFormat.significant(target.targetPerplexity, digits: 4))", reached])
        }
        if let secure = summary.secureAggregation {
            rows.append(["secure aggregation", "\(secure.protocolName): \(secure.failedRounds) of \(secure.rounds) rounds failed, "
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
