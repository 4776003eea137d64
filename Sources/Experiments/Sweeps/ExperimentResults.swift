import Federation
import Foundation

/// One run of an experiment as read back from its folder: its metrics so far, and its summary once
/// it has finished.
package struct ExperimentRunRecord: Sendable {
    package var index: Int
    package var run: ExperimentPlan.Run
    package var summary: RunSummary?
    package var metrics: [RoundMetrics]
}

/// An experiment folder read back: the plan and every run that has written anything.
///
/// Reports and tables are drawn from this alone, so `murmur report` redraws them from the files
/// without running anything.
package struct ExperimentResults: Sendable {
    package var folder: String
    package var plan: ExperimentPlan
    package var records: [ExperimentRunRecord]

    /// Reads `folder/experiment.json` and whatever its runs have written.
    package static func load(folder: String) throws -> ExperimentResults {
        let planURL = URL(fileURLWithPath: folder).appendingPathComponent("experiment.json")
        let plan: ExperimentPlan
        do {
            plan = try JSONDecoder().decode(ExperimentPlan.self, from: Data(contentsOf: planURL))
        } catch {
            throw RunError(description: "\(planURL.path): cannot be read as an experiment plan (\(error.localizedDescription))")
        }
        var records: [ExperimentRunRecord] = []
        for (index, run) in plan.runs.enumerated() {
            let runURL = URL(fileURLWithPath: folder).appendingPathComponent("runs").appendingPathComponent(run.folder)
            let metricsURL = runURL.appendingPathComponent("metrics.jsonl")
            guard FileManager.default.fileExists(atPath: metricsURL.path) else { continue }
            let metrics: [RoundMetrics]
            var summary: RunSummary?
            do {
                metrics = try RoundMetrics.read(from: metricsURL)
                let summaryURL = runURL.appendingPathComponent("summary.json")
                // An interrupted run's summary is not its result: the run is unfinished until resumed.
                summary = FileManager.default.fileExists(atPath: summaryURL.path)
                    ? try RunSummary.read(from: summaryURL) : nil
                if summary?.ending.isFinal == false { summary = nil }
            } catch let error as RunError {
                throw error
            } catch {
                throw RunError(description: "\(runURL.path): cannot be read (\(error.localizedDescription))")
            }
            records.append(ExperimentRunRecord(index: index, run: run, summary: summary, metrics: metrics))
        }
        return ExperimentResults(folder: folder, plan: plan, records: records)
    }

    /// The task's metrics, the primary first: from a finished run's summary, or from the metric names
    /// the runs' lines carry while none has finished.
    package var taskMetrics: [TaskMetric] {
        if let metrics = records.lazy.compactMap(\.summary).first?.metrics { return metrics }
        let names = Set(records.flatMap { $0.metrics.compactMap(\.evaluation).flatMap(\.keys) })
        return TaskSpecification.allMetrics.first { names.contains($0[0].name) } ?? TaskSpecification.allMetrics[0]
    }

    /// The summaries of variant `variant`'s finished runs.
    package func finishedSummaries(variant: Int) -> [RunSummary] {
        records.filter { $0.run.variant == variant }.compactMap(\.summary)
    }
}

/// The mean and sample standard deviation of a figure over a variant's repeats.
package struct Spread: Sendable, Equatable {
    package var mean: Double
    /// Nil for a single value.
    package var standardDeviation: Double?
    package var count: Int

    /// The spread of `values`, or nil when there are none.
    package init?(_ values: [Double]) {
        guard !values.isEmpty else { return nil }
        count = values.count
        mean = values.reduce(0, +) / Double(values.count)
        let mean = mean
        standardDeviation = values.count > 1
            ? (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)).squareRoot() : nil
    }
}
