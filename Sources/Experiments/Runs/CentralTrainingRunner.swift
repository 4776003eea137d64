import Federation
import Foundation
import Kernels
import Learning
import Tasks

/// Runs `murmur train-central`: the scenario's model trained centrally on a pool of users (the `central`
/// section says how, and on which users) into a run folder of its own, `<output.directory>/<name>-central`,
/// whose `checkpoint.bin` a federated scenario's `model.initialWeights` accepts.
///
/// The folder is an ordinary run folder — `scenario.json`, `metrics.jsonl` with a line per evaluation
/// (its `round` is the step), `checkpoint.bin`, `summary.json`, `report.html` — so `murmur report` and
/// the sweep tools read it as they read a federated run.
package final class CentralTrainingRunner {
    package let scenario: Scenario
    package let options: RunOptions
    private let report: RunReporter

    package init(scenario: Scenario, options: RunOptions, reporter: RunReporter) {
        self.scenario = scenario
        self.options = options
        report = reporter
    }

    /// The central section in force: the scenario's, or the defaults.
    private var specification: CentralTrainingSpecification {
        get throws {
            if let central = scenario.central { return central }
            // An empty section read by the section's own reader: every default, nothing else re-validated.
            let s = scenario
            return try Scenario.readCentral(ScenarioReader(file: s.file, path: "central", object: [:]),
                                            baseFolder: URL(fileURLWithPath: s.file).deletingLastPathComponent(),
                                            seed: s.training.seed, data: s.data, clientBatchSize: s.training.client.batchSize)
        }
    }

    /// Trains and returns the summary and the run folder.
    @discardableResult
    package func run() throws -> (summary: RunSummary, folder: String) {
        let central = try specification
        switch scenario.task {
        case let .languageModelling(configuration):
            let setup = try scenario.languageModellingSetup(configuration)
            let pool: any Population<TextUser> = if let path = central.trainPath {
                try open { () throws(DataError) in try FederatedTextFolder(path: path) }
            } else if let seed = central.userSeed, case let .synthetic(users, _, vocabulary, topics, zipf, languageSeed, _, _) = scenario.data {
                SyntheticPopulation(language: SyntheticLanguage(vocabularySize: vocabulary, topics: topics, zipfExponent: zipf,
                                                                seed: languageSeed),
                                    users: users, seed: seed, maxSentences: configuration.maxSentences)
            } else { setup.training }
            return try run(setup.task, population: pool, heldOut: setup.heldOut, central: central)
        case let .speechRecognition(configuration):
            let setup = try scenario.speechRecognitionSetup(configuration)
            let pool: any Population<Speaker> = if let path = central.trainPath {
                try open { () throws(DataError) in try SpeakerFolder(path: path) }
            } else { setup.training }
            return try run(setup.task, population: pool, heldOut: setup.heldOut, central: central)
        }
    }

    private func open<P>(_ body: () throws(DataError) -> P) throws -> P {
        do { return try body() } catch { throw ScenarioError(file: scenario.file, keyPath: "central.trainPath", message: error.description) }
    }

    private func run<Task: FederatedTask>(_ task: Task, population: any Population<Task.User>, heldOut: HeldOutEvaluation<Task>,
                                          central: CentralTrainingSpecification) throws -> (summary: RunSummary, folder: String) {
        let s = scenario, c = central.configuration
        var folderOptions = options
        folderOptions.defaultRunFolder = options.defaultRunFolder
            ?? URL(fileURLWithPath: s.outputDirectory).appendingPathComponent(s.name + "-central").path
        folderOptions.resume = false
        let folder = try RunFolder.choose(folderOptions, scenario: s)
        let scenarioText = String(decoding: s.resolvedJSON, as: UTF8.self)
        let pool = ThreadPool(threadCount: options.threads)
        let initial = try s.initialWeights.map { try TrainingCheckpoint.read(from: URL(fileURLWithPath: $0)).parameters }
        let training = CentralTraining(task: task, population: population, configuration: c, pool: pool, initial: initial)
        let metrics = try folder.create(resolvedScenario: s.resolvedJSON)
        report.start(name: s.name + " (central)", folder: folder.path, rounds: c.steps, population: population.origin,
                     parameters: training.parameters.layout.count, primaryMetric: task.primaryMetric, baselines: [])
        if central.evaluateEvery > 0 {
            let line = RoundMetrics(initialEvaluation: training.evaluate(heldOut).values, wallSeconds: 0)
            try metrics.append(line)
            report.round(line, of: c.steps)
        }
        var interval = BatchLoss(sum: 0, count: 0), intervalSteps = 0, intervalStart = ContinuousClock.now
        var ending = RunEnding.completed
        while training.completedSteps < c.steps {
            let loss = try training.step()
            interval.sum += loss.sum
            interval.count += loss.count
            intervalSteps += 1
            let step = training.completedSteps
            let due = central.evaluateEvery > 0 ? step % central.evaluateEvery == 0 : step % max(1, c.steps / 10) == 0
            let interrupted = options.interruption?.isRequested ?? false
            guard due || step == c.steps || interrupted else { continue }
            var line = RoundMetrics(initialEvaluation: [:], wallSeconds: seconds(ContinuousClock.now - intervalStart))
            line.round = step
            line.evaluation = central.evaluateEvery > 0 || step == c.steps ? training.evaluate(heldOut).values : nil
            line.trainLoss = interval.count > 0 ? interval.sum / Double(interval.count) : nil
            line.trainingTargets = interval.count
            line.localSteps = intervalSteps
            line.learningRate = Double(c.schedule.rate(at: step - 1, base: c.learningRate))
            try metrics.append(line)
            report.round(line, of: c.steps, roundsInLine: intervalSteps)
            try folder.writeCheckpoint(training.checkpoint, scenarioText: scenarioText, metrics: metrics)
            (interval, intervalSteps, intervalStart) = (BatchLoss(sum: 0, count: 0), 0, ContinuousClock.now)
            if interrupted && step < c.steps {
                report.note("stopped by \(options.interruption!.reason) after step \(step) of \(c.steps); the weights so far "
                    + "are in \(folder.checkpointURL.path)")
                ending = .interrupted
                break
            }
        }
        let summary = RunSummary(name: s.name + "-central", lines: try RoundMetrics.read(from: folder.metricsURL),
                                 roundsCompleted: training.completedSteps, ending: ending,
                                 parameters: training.parameters.layout.count, threads: options.threads,
                                 metrics: task.metrics, baselines: [])
        try folder.finish(with: summary)
        report.finish(summary, folder: folder.path)
        report.note("seed a federated run from it with model.initialWeights \"\(folder.path)\"")
        return (summary, folder.path)
    }
}
