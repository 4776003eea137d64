import Federation
import Foundation
import Kernels
import Learning
import Privacy

/// How to run a scenario: where, on how many threads, and whether to continue an interrupted run.
package struct RunOptions: Sendable {
    /// The run folder; by default `<output.directory>/<name>`, or `<name>-2`, … if that one is taken.
    package var runFolder: String?
    /// The folder to use (or to number, `-2`, `-3`, …, when taken) when `runFolder` is nil, instead of
    /// `<output.directory>/<name>`.
    package var defaultRunFolder: String?
    package var resume = false
    package var threads = 2
    /// Stop after this round as if interrupted (tests of resume use it).
    package var stopAfterRound: Int?

    package init() {}
}

/// A failure while running that is not a bad scenario: a run folder that cannot be used or written.
package struct RunError: Error, CustomStringConvertible {
    package var description: String
}

/// Runs a validated scenario into its run folder: `scenario.json` (resolved), `metrics.jsonl` (a line a
/// round, appended and flushed as rounds finish), `checkpoint.bin` every `output.checkpointEvery` rounds
/// and at the end, and `summary.json` and `report.html` at the end. Every file but the append-only metrics is written to
/// a temporary name and renamed, so an interrupted run loses nothing it had written, and `--resume`
/// continues from the last checkpoint to the same result as an uninterrupted run.
package final class ScenarioRunner {
    package let scenario: Scenario
    package let options: RunOptions
    private let report: RunReporter

    package init(scenario: Scenario, options: RunOptions, reporter: RunReporter) {
        self.scenario = scenario
        self.options = options
        report = reporter
    }

    /// Runs (or resumes) the scenario; returns the summary and the run folder.
    @discardableResult
    package func run() throws -> (summary: RunSummary, folder: String) {
        let s = scenario
        let folder = try chooseFolder()
        let folderURL = URL(fileURLWithPath: folder)
        let metricsURL = folderURL.appendingPathComponent("metrics.jsonl")
        let checkpointURL = folderURL.appendingPathComponent("checkpoint.bin")
        let scenarioText = String(decoding: s.resolvedJSON, as: UTF8.self)

        let (train, validation) = try s.populations()
        let pool = ThreadPool(threadCount: options.threads)
        let fleet = try s.makeFleet(population: train.userCount)
        let heldOut = try HeldOutEvaluation(population: validation, users: s.evaluationUsers,
                                            steps: s.training.client.sequenceLength,
                                            maxSentences: s.training.client.maxSentences,
                                            batchSize: s.evaluationBatchSize)
        let training = FederatedTraining(configuration: s.training, population: train,
                                         pipeline: UpdatePipeline(secureAggregation: s.secureAggregation),
                                         privacy: s.privacy, fleet: fleet, unigram: s.unigram(heldOut: heldOut), pool: pool)
        var tracker = s.privacy.map { PrivacyTracker(configuration: $0, plan: s.privacyPlan!) }
        var stoppedAtBudget = false, stoppedEarly = false
        let unigram = try UnigramBaseline.perplexity(training: train, users: 2000, steps: s.training.client.sequenceLength,
                                                     maxSentences: s.training.client.maxSentences, heldOut: heldOut)
        if options.resume {
            let checkpoint = try TrainingCheckpoint.read(from: checkpointURL)
            guard checkpoint.metadata["scenario"] == scenarioText else {
                throw RunError(description: "\(folder): the scenario differs from the one this run was started with "
                    + "(see \(folder)/scenario.json); resume with the same scenario and --set values")
            }
            try training.restore(checkpoint)
            try tracker?.restore(from: checkpoint.metadata)
            let keptBytes = UInt64(checkpoint.metadata["metricsBytes"] ?? "0") ?? 0
            try truncate(metricsURL, to: keptBytes)
            report.note("resuming \(folder) after round \(checkpoint.completedRounds) of \(s.rounds)")
        } else {
            if let path = s.initialWeights {
                let pretrained = try TrainingCheckpoint.read(from: URL(fileURLWithPath: path))
                try training.start(fromModelWeights: pretrained.parameters)
                report.note("starting from the weights in \(path) (after its round \(pretrained.completedRounds))")
            }
            try FileManager.default.createDirectory(at: folderURL, withIntermediateDirectories: true)
            try s.resolvedJSON.write(to: folderURL.appendingPathComponent("scenario.json"), options: .atomic)
            try Data().write(to: metricsURL, options: .atomic)
        }
        let metrics = try FileHandle(forWritingTo: metricsURL)
        defer { try? metrics.close() }
        try metrics.seekToEnd()
        func append(_ line: RoundMetrics) throws {
            try metrics.write(contentsOf: Data((line.jsonLine + "\n").utf8))
            try metrics.synchronize()
        }

        report.start(name: s.name, folder: folder, rounds: s.rounds, population: train.origin,
                     parameters: training.parameters.layout.count, unigram: unigram)
        if let privacy = s.privacy, let plan = s.privacyPlan {
            report.note("privacy: \(privacy.mechanism.rawValue) noise multiplier \(privacy.noiseMultiplier) (\(plan.noiseSource)), "
                + "clip \(privacy.clipBound); the planned \(plan.plannedRounds) rounds spend ε = \(plan.plannedEpsilon) at "
                + "δ = \(privacy.delta) (\(privacy.accountant.rawValue), \(plan.relation.rawValue))"
                + (privacy.epsilonBudget.map { plan.plannedEpsilon > $0 ? "; the budget ε = \($0) will stop it early" : "" } ?? ""))
        }
        if let secure = s.secureAggregation {
            report.note("secure aggregation: \(secure.protocolKind.rawValue), \(secure.bits)-bit ring, dropout "
                + "\(String(format: "%.3g", secure.totalDropout)) a round")
        }
        if let fleet, let simulation = s.training.devices {
            let source = if case let .trace(_, path)? = s.fleetSpecification { "trace \(path)" } else { "a mix of classes" }
            report.note("devices: \(fleet.clientCount) clients from \(source) (\(fleet.classNames.joined(separator: ", "))); "
                + "select \(simulation.overSelection)× the cohort, deadline \(simulation.deadlineSeconds) s")
        }
        let clock = ContinuousClock()
        if training.completedRounds == 0 && s.evaluationEvery > 0 {
            let initial = RoundMetrics(
                initialEvaluation: heldOut.evaluate(training.modelParameters, replicas: training.replicas, pool: pool),
                wallSeconds: 0)
            try append(initial)
            report.round(initial, of: s.rounds)
        }
        while training.completedRounds < s.rounds {
            if let stop = options.stopAfterRound, training.completedRounds >= stop { break }
            let started = clock.now
            let result: RoundResult
            do {
                result = try training.runRound { event, asRun in
                    try tracker?.admit(round: training.completedRounds + 1, event: event, asRunEvent: asRun)
                }
            } catch let exhausted as PrivacyTracker.BudgetExhausted {
                report.note("stopped before round \(exhausted.round): it would bring ε to \(exhausted.epsilon), over the "
                    + "budget of \(exhausted.budget); nothing of it was released")
                stoppedAtBudget = true
                break
            } catch let ended as SimulationError {
                report.note("stopped before round \(training.completedRounds + 1): \(ended)")
                stoppedEarly = true
                break
            }
            let previousEpsilon = tracker?.epsilon ?? 0
            tracker?.commit()
            var line = RoundMetrics(result, wallSeconds: seconds(clock.now - started))
            line.epsilon = tracker?.epsilon
            let round = result.round
            // The budget ends the run after this round: evaluate and checkpoint it as the last.
            if let event = result.privacyEvent, round < s.rounds,
               try tracker?.nextRoundWouldExceed(like: event, previousEpsilon: previousEpsilon) == true {
                report.note("round \(round) is the last the ε budget allows (ε = \(tracker!.epsilon))")
                stoppedAtBudget = true
            }
            if s.evaluationEvery > 0 && (round % s.evaluationEvery == 0 || round == s.rounds || stoppedAtBudget) {
                line.record(heldOut.evaluate(training.modelParameters, replicas: training.replicas, pool: pool))
            }
            try append(line)
            report.round(line, of: s.rounds)
            if let failure = line.secureAggregation?.failure {
                report.note("round \(round): secure aggregation failed (\(failure)); the model is unchanged")
            }
            if round % s.checkpointEvery == 0 || round == s.rounds || stoppedAtBudget {
                var checkpoint = training.checkpointState
                checkpoint.metadata["scenario"] = scenarioText
                checkpoint.metadata["metricsBytes"] = String(try metrics.offset())
                for (key, value) in tracker?.checkpointMetadata ?? [:] { checkpoint.metadata[key] = value }
                try checkpoint.write(to: checkpointURL)
            }
            if stoppedAtBudget { break }
        }
        var summary = try summarize(metricsURL, unigram: unigram, parameters: training.parameters.layout.count,
                                    rounds: training.completedRounds)
        summary.privacy = try tracker?.summary(stoppedAtBudget: stoppedAtBudget)
        if let fleet {
            var fleetClasses: [String: Int] = [:]
            for client in 0..<fleet.clientCount { fleetClasses[fleet.className(of: client), default: 0] += 1 }
            summary.devices = DeviceSummary(lines: try RoundMetrics.read(from: metricsURL), fleetClasses: fleetClasses)
        }
        if let target = s.targetPerplexity {
            summary.timeToTarget = TimeToTarget(target: target, lines: try RoundMetrics.read(from: metricsURL))
        }
        if let secure = s.secureAggregation {
            summary.secureAggregation = SecureAggregationSummary(protocolName: secure.protocolKind.rawValue,
                                                                 lines: try RoundMetrics.read(from: metricsURL))
        }
        if training.completedRounds == s.rounds || stoppedAtBudget || stoppedEarly {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(summary).write(to: folderURL.appendingPathComponent("summary.json"), options: .atomic)
            try RunReport.write(folder: folder)
        }
        report.finish(summary, folder: folder)
        return (summary, folder)
    }

    private func chooseFolder() throws -> String {
        let base = options.runFolder ?? options.defaultRunFolder
            ?? URL(fileURLWithPath: scenario.outputDirectory).appendingPathComponent(scenario.name).path
        let manager = FileManager.default
        if options.resume {
            guard manager.fileExists(atPath: base + "/checkpoint.bin") else {
                throw RunError(description: "\(base): nothing to resume (no checkpoint.bin; the run stopped before "
                    + "its first checkpoint, or never started); run it again without --resume")
            }
            return base
        }
        func isFree(_ path: String) -> Bool {
            !manager.fileExists(atPath: path) || ((try? manager.contentsOfDirectory(atPath: path))?.isEmpty ?? false)
        }
        if isFree(base) { return base }
        if options.runFolder != nil {
            throw RunError(description: "\(base): already holds a run; choose another --out, or add --resume")
        }
        var suffix = 2
        while !isFree("\(base)-\(suffix)") { suffix += 1 }
        return "\(base)-\(suffix)"
    }

    private func truncate(_ url: URL, to length: UInt64) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.truncate(atOffset: length)
    }

    private func summarize(_ metricsURL: URL, unigram: Double, parameters: Int, rounds: Int) throws -> RunSummary {
        let metrics = try RoundMetrics.read(from: metricsURL)
        let evaluated = metrics.filter { $0.validationPerplexity != nil }
        let wall = metrics.reduce(0) { $0 + $1.wallSeconds }
        let tokens = metrics.reduce(0) { $0 + $1.trainingTokens }
        return RunSummary(
            name: scenario.name, roundsCompleted: rounds, parameters: parameters, threads: options.threads,
            finalValidationPerplexity: evaluated.last?.validationPerplexity,
            bestValidationPerplexity: evaluated.compactMap(\.validationPerplexity).min(),
            finalTop1Accuracy: evaluated.last?.top1Accuracy, finalTop3Accuracy: evaluated.last?.top3Accuracy,
            unigramPerplexity: unigram, trainingWallSeconds: wall,
            roundsPerSecond: wall > 0 ? Double(rounds) / wall : 0,
            clientTokensPerSecond: wall > 0 ? Double(tokens) / wall : 0,
            bytesUp: metrics.reduce(0) { $0 + $1.bytesUp }, bytesDown: metrics.reduce(0) { $0 + $1.bytesDown },
            clients: ClientCostSummary(lines: metrics))
    }
}

/// Seconds in a Duration, as a Double.
package func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}
