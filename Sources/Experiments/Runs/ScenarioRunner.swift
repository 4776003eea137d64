import Federation
import Foundation
import Kernels
import Learning
import Privacy
import Tasks

/// How to run a scenario: where, on how many threads, and whether to continue an interrupted run.
package struct RunOptions: Sendable {
    /// The run folder; by default `<output.directory>/<name>`, or `<name>-2`, … if that one is taken.
    package var runFolder: String?
    /// The folder to use (or to number, `-2`, `-3`, …, when taken) when `runFolder` is nil, instead of
    /// `<output.directory>/<name>`.
    package var defaultRunFolder: String?
    package var resume = false
    package var threads = 2
    /// Stop after this round as if the process had died (tests of resume use it): no summary.
    package var stopAfterRound: Int?
    /// Set by SIGINT / SIGTERM: the run stops at the next round boundary with a checkpoint, its
    /// summary and its report.
    package var interruption: RunInterruption?

    package init() {}
}

/// A failure while running that is not a bad scenario: a run folder that cannot be used or written.
package struct RunError: Error, CustomStringConvertible {
    package var description: String
}

/// Runs a validated scenario into its run folder (`RunFolder`): opens the scenario's task, then the one
/// generic loop — a round, its metrics line, an evaluation and a checkpoint when due — and at the end the
/// summary and the report. `--resume` continues from the last checkpoint to the same result as an
/// uninterrupted run.
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
        switch scenario.task {
        case let .languageModelling(configuration):
            let setup = try scenario.languageModellingSetup(configuration)
            guard let auditConfiguration = scenario.audit else {
                return try run(setup.task, population: setup.training, heldOut: setup.heldOut)
            }
            // The audit's canaries enter through the population; the round trains as in any run.
            let audit = CanaryAudit(task: setup.task, configuration: auditConfiguration, userCount: setup.training.userCount)
            return try run(setup.task, population: audit.population(wrapping: setup.training), heldOut: setup.heldOut,
                           audit: audit.evaluate)
        case let .speechRecognition(configuration):
            let setup = try scenario.speechRecognitionSetup(configuration)
            return try run(setup.task, population: setup.training, heldOut: setup.heldOut)
        }
    }

    /// The run of any task: everything below is written once, for every task.
    /// - Parameter audit: scores the trained model's canaries (runs with `privacy.audit`).
    private func run<Task: FederatedTask>(_ task: Task, population: any Population<Task.User>, heldOut: HeldOutEvaluation<Task>,
                                          audit: ((Task.Model) -> CanaryAuditResult)? = nil) throws -> (summary: RunSummary, folder: String) {
        let s = scenario
        let folder = try RunFolder.choose(options, scenario: s)
        let scenarioText = String(decoding: s.resolvedJSON, as: UTF8.self)
        let pool = ThreadPool(threadCount: options.threads)
        let training = FederatedTraining(task: task, configuration: s.training, population: population, privacy: s.privacy,
                                         secureAggregation: s.secureAggregation,
                                         fleet: try s.makeFleet(population: population.userCount), pool: pool)
        let baselines = try task.baselines(training: population, heldOut: heldOut)
        let metrics: MetricsLog
        let resuming = options.resume && folder.hasCheckpoint
        if options.resume && !resuming {
            report.note("\(folder.path) has no checkpoint (the run stopped before its first one): starting it again")
        }
        if resuming {
            let (checkpoint, log) = try folder.resume(scenarioText: scenarioText)
            try training.restore(checkpoint)
            metrics = log
            report.note("resuming \(folder.path) after round \(checkpoint.completedRounds) of \(s.rounds)")
        } else {
            if s.central?.seedStart == true {
                let seed = try CentralSeed.ensure(s, options: options, reporter: report)
                let trained = try TrainingCheckpoint.read(from: URL(fileURLWithPath: seed).appendingPathComponent("checkpoint.bin"))
                try training.start(fromModelWeights: trained.parameters)
                report.note("starting from the seed model in \(seed) (\(trained.completedRounds) central steps)")
            } else if let path = s.initialWeights, InitialWeights.isStateDict(path) {
                try training.start(fromModelWeights: try InitialWeights.stateDictWeights(path: path,
                                                                                         layout: s.task.modelShape.layout))
                report.note("starting from the PyTorch weights in \(path)")
            } else if let path = s.initialWeights {
                let pretrained = try TrainingCheckpoint.read(from: URL(fileURLWithPath: path))
                try training.start(fromModelWeights: pretrained.parameters)
                report.note("starting from the weights in \(path) (after its round \(pretrained.completedRounds))")
            }
            metrics = try folder.create(resolvedScenario: s.resolvedJSON)
        }
        if s.tensorBoard {
            metrics.tensorBoard = try TensorBoardLog(runFolder: folder.path, lines: try RoundMetrics.read(from: folder.metricsURL))
        }
        report.start(name: s.name, folder: folder.path, rounds: s.rounds, population: population.origin,
                     parameters: training.parameters.layout.count, primaryMetric: task.primaryMetric, baselines: baselines)
        noteSettings(training)
        if !resuming {
            if s.evaluationEvery > 0 {
                let initial = RoundMetrics(initialEvaluation: training.evaluate(heldOut).values, wallSeconds: 0)
                try metrics.append(initial)
                report.round(initial, of: s.rounds)
            }
            // A checkpoint of the start, so that a run that fails before its first scheduled checkpoint
            // (a full disk, a kill) can still be resumed rather than lost.
            try folder.writeCheckpoint(training.checkpointState, scenarioText: scenarioText, metrics: metrics)
        }
        var ending: RunEnding?
        while training.completedRounds < s.rounds && ending == nil {
            if let stop = options.stopAfterRound, training.completedRounds >= stop { break }
            ending = try step(training, heldOut: heldOut, metrics: metrics, folder: folder, scenarioText: scenarioText)
            if ending == nil, training.completedRounds < s.rounds, let interruption = options.interruption,
               interruption.isRequested {
                if training.completedRounds % s.checkpointEvery != 0 {
                    try folder.writeCheckpoint(training.checkpointState, scenarioText: scenarioText, metrics: metrics)
                }
                report.note("stopped by \(interruption.reason) after round \(training.completedRounds) of \(s.rounds); "
                    + "run the same command with --resume to continue (\(folder.path))")
                ending = .interrupted
            }
        }
        if training.completedRounds == s.rounds && ending == nil { ending = .completed }
        var summary = try summarize(training, lines: try RoundMetrics.read(from: folder.metricsURL), baselines: baselines,
                                    ending: ending ?? .interrupted)
        if let audit, ending != nil {
            summary.audit = Self.audit(training, with: audit, accountedEpsilon: summary.privacy?.epsilonShown)
        }
        if ending != nil { try folder.finish(with: summary) }
        report.finish(summary, folder: folder.path)
        return (summary, folder.path)
    }

    /// One round: the round itself, its metrics line (with the task's evaluation when due) and a
    /// checkpoint when due. Returns why the run ends after it, if it does.
    private func step<Task: FederatedTask>(_ training: FederatedTraining<Task>, heldOut: HeldOutEvaluation<Task>,
                                           metrics: MetricsLog, folder: RunFolder, scenarioText: String) throws -> RunEnding? {
        let s = scenario
        let started = ContinuousClock.now
        let result: RoundResult
        do {
            result = try training.runRound()
        } catch let exhausted as PrivacyBudgetExhausted {
            report.note("stopped before round \(exhausted.round): it would bring ε to \(exhausted.epsilon), over the "
                + "budget of \(exhausted.budget); nothing of it was released")
            return .budgetExhausted
        } catch let ended as SimulationError {
            report.note("stopped before round \(training.completedRounds + 1): \(ended)")
            return .traceEnded
        }
        try FaultInjection.reach(.round)
        var line = RoundMetrics(result, wallSeconds: seconds(ContinuousClock.now - started))
        let round = result.round
        // The budget ends the run after this round: evaluate and checkpoint it as the last.
        let lastTheBudgetAllows = result.budgetExhausted && round < s.rounds
        if lastTheBudgetAllows {
            report.note("round \(round) is the last the ε budget allows (ε = \(ReportFormat.epsilon(training.privacyBudget?.epsilon ?? 0)))")
        }
        if s.evaluationEvery > 0 && (round % s.evaluationEvery == 0 || round == s.rounds || lastTheBudgetAllows) {
            line.evaluation = training.evaluate(heldOut).values
        }
        try metrics.append(line)
        report.round(line, of: s.rounds)
        if let failure = line.secureAggregation?.failure {
            report.note("round \(round): secure aggregation failed (\(failure)); the model is unchanged")
        }
        if round % s.checkpointEvery == 0 || round == s.rounds || lastTheBudgetAllows {
            try folder.writeCheckpoint(training.checkpointState, scenarioText: scenarioText, metrics: metrics)
        }
        return lastTheBudgetAllows ? .budgetExhausted : nil
    }

    /// The audit of the trained model (its whole weights, partial training merged in), next to the ε
    /// accounted as run.
    private static func audit<Task: FederatedTask>(_ training: FederatedTraining<Task>, with audit: (Task.Model) -> CanaryAuditResult,
                                                   accountedEpsilon: Double?) -> CanaryAuditResult {
        let model = training.task.makeModel(seed: training.configuration.seed)
        model.parameters.assign(from: training.modelParameters)
        var result = audit(model)
        result.accountedEpsilon = accountedEpsilon
        return result
    }

    /// Notes what the run's privacy, secure aggregation and devices are set to.
    private func noteSettings<Task: FederatedTask>(_ training: FederatedTraining<Task>) {
        let s = scenario
        if let privacy = s.privacy, let plan = s.privacyPlan {
            if let size = privacy.noiseCohortSize { report.noiseCohort(size: size, population: training.population.userCount) }
            let (z, clip, delta) = (ReportFormat.significant(privacy.noiseMultiplier, digits: 4),
                                    ReportFormat.significant(privacy.clipBound, digits: 4), ReportFormat.significant(privacy.delta, digits: 3))
            report.note("privacy: \(privacy.mechanism.rawValue) noise multiplier \(z) (\(plan.noiseSource)), "
                + "clip \(clip); the planned \(plan.plannedRounds) rounds spend ε = \(ReportFormat.epsilon(plan.plannedEpsilon)) at "
                + "δ = \(delta) (\(privacy.accountant.rawValue), \(plan.relation.rawValue))"
                + (privacy.noiseCohortSize.map { " for a noise cohort of \($0) of \(training.population.userCount) users (as run, "
                    + "on the real cohort, ε is far larger: see ε as run)" } ?? "")
                + (privacy.epsilonBudget.map { plan.plannedEpsilon > $0 ? "; the budget ε = \(ReportFormat.epsilon($0)) will stop it early" : "" } ?? ""))
        }
        if let secure = s.secureAggregation {
            report.note("secure aggregation: \(secure.protocolKind.rawValue), \(secure.bits)-bit ring, dropout "
                + "\(String(format: "%.3g", secure.totalDropout)) a round")
        }
        if let fleet = training.fleet, let simulation = s.training.devices {
            let source = if case let .trace(_, path)? = s.fleetSpecification { "trace \(path)" } else { "a mix of classes" }
            report.note("devices: \(fleet.clientCount) clients from \(source) (\(fleet.classNames.joined(separator: ", "))); "
                + "select \(simulation.overSelection)× the cohort, deadline \(simulation.deadlineSeconds) s")
        }
    }

    /// The summary from one read of the metrics lines, with the run's privacy, secure aggregation,
    /// devices and time-to-target sections.
    private func summarize<Task: FederatedTask>(_ training: FederatedTraining<Task>, lines: [RoundMetrics],
                                                baselines: [TaskBaseline], ending: RunEnding) throws -> RunSummary {
        let s = scenario
        var summary = RunSummary(name: s.name, lines: lines, roundsCompleted: training.completedRounds, ending: ending,
                                 parameters: training.parameters.layout.count, threads: options.threads,
                                 metrics: training.task.metrics, baselines: baselines)
        if let budget = training.privacyBudget, let plan = s.privacyPlan {
            summary.privacy = PrivacySummary(budget, plan: plan, stoppedAtBudget: ending == .budgetExhausted,
                                             population: training.population.userCount, signalToNoise: lines.compactMap(\.signalToNoise),
                                             participation: training.participation, rounds: training.completedRounds)
        }
        if let fleet = training.fleet {
            var fleetClasses: [String: Int] = [:]
            for client in 0..<fleet.clientCount { fleetClasses[fleet.className(of: client), default: 0] += 1 }
            summary.devices = DeviceSummary(lines: lines, fleetClasses: fleetClasses)
        }
        summary.timeToTarget = s.evaluationTarget.map { TimeToTarget($0, lines: lines) }
        if let secure = s.secureAggregation {
            summary.secureAggregation = SecureAggregationSummary(protocolKind: secure.protocolKind, lines: lines)
        }
        return summary
    }
}

/// Seconds in a Duration, as a Double.
package func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}
