import Experiments
import Federation
import Foundation
import Privacy
import Testing

/// Runs with differential privacy: ε on every line and never past the budget, the same result on 1 or
/// 2 threads and after a resume, and impossible targets refused before anything runs.
@Suite struct PrivateRunTests {
    static func json(privacy: String, rounds: Int = 6, sampling: String = #""sampling": "poisson", "samplingRate": 0.04"#) -> String {
        """
        {"name": "private", "seed": 5, "rounds": \(rounds),
         "data": {"users": 300, "validationUsers": 20, "vocabularySize": 60},
         "model": {"embeddingSize": 8, "hiddenSize": 16},
         "clients": {\(sampling), "learningRate": 0.5},
         "server": {"optimizer": "fedavg", "learningRate": 1.0},
         "privacy": {\(privacy)},
         "evaluation": {"every": 3}, "output": {"checkpointEvery": 2}}
        """
    }

    static func run(_ text: String, threads: Int = 2, stopAfter: Int? = nil, resume: Bool = false, folder: String) throws -> RunSummary {
        try ScenarioRunnerTests.run(text, file: "private.json", threads: threads, stopAfter: stopAfter, resume: resume, folder: folder)
    }

    @Test func calibratedRunReportsEpsilonEachRoundAndEndsAtTheTarget() throws {
        let folder = ScenarioRunnerTests.folder()
        let summary = try Self.run(Self.json(privacy: #""epsilon": 3, "delta": 1e-5, "clipBound": 0.5"#), folder: folder)
        let lines = try ScenarioRunnerTests.metrics(folder).filter { $0.round > 0 }
        let epsilons = lines.compactMap(\.epsilon)
        #expect(epsilons.count == 6 && zip(epsilons, epsilons.dropFirst()).allSatisfy { $0 < $1 })
        let privacy = try #require(summary.privacy)
        #expect(privacy.noiseSource == "calibrated" && privacy.epsilon <= 3 && privacy.epsilon > 2.99)
        #expect(privacy.ledger.hasSuffix("× 6") && !privacy.stoppedAtBudget && summary.roundsCompleted == 6)
    }

    @Test func givenNoiseStopsAtTheBudgetAndReleasesNothingPastIt() throws {
        let folder = ScenarioRunnerTests.folder()
        let summary = try Self.run(Self.json(privacy: #""noiseMultiplier": 0.7, "epsilon": 2, "delta": 1e-5"#, rounds: 40), folder: folder)
        let privacy = try #require(summary.privacy)
        #expect(privacy.stoppedAtBudget && summary.roundsCompleted < 40 && privacy.epsilon <= 2)
        let last = try #require(try ScenarioRunnerTests.metrics(folder).last)
        #expect(last.round == summary.roundsCompleted && last.metric("validationPerplexity") != nil)  // the end is evaluated
    }

    /// Clipping, noise and adaptive clip bound replay exactly: 1 thread straight vs 2 threads resumed.
    @Test func privateRunIsDeterministicAndResumesExactly() throws {
        let text = Self.json(privacy: #""epsilon": 4, "delta": 1e-5, "adaptiveClipping": {"countNoise": 2}"#)
        let straight = ScenarioRunnerTests.folder(), interrupted = ScenarioRunnerTests.folder()
        let expected = try Self.run(text, threads: 1, folder: straight)
        _ = try Self.run(text, threads: 2, stopAfter: 3, folder: interrupted)
        let resumed = try Self.run(text, threads: 2, resume: true, folder: interrupted)
        #expect(try ScenarioRunnerTests.metrics(interrupted) == ScenarioRunnerTests.metrics(straight))
        #expect(resumed.privacy == expected.privacy)
        let bounds = try ScenarioRunnerTests.metrics(straight).compactMap(\.clipBound)
        #expect(Set(bounds).count > 1)  // the bound moved
    }

    @Test func fixedCohortIsAccountedWithoutReplacementUnderReplaceOne() throws {
        let folder = ScenarioRunnerTests.folder()
        let summary = try Self.run(Self.json(privacy: #""epsilon": 5, "delta": 1e-5"#, rounds: 3, sampling: #""cohortSize": 10"#),
                                   folder: folder)
        let privacy = try #require(summary.privacy)
        #expect(privacy.relation == .replaceOne && privacy.ledger.contains("withoutReplacement(10 of 300"))
    }

    @Test func noiseCohortReportsBothEpsilons() throws {
        let folder = ScenarioRunnerTests.folder()
        let summary = try Self.run(Self.json(privacy: #""epsilon": 2, "delta": 1e-5, "noiseCohortSize": 100"#, rounds: 3), folder: folder)
        let privacy = try #require(summary.privacy)
        #expect(privacy.noiseCohortSize == 100 && privacy.epsilon <= 2)
        #expect(try #require(privacy.epsilonAsRun) > privacy.epsilon)  // less noise on the real, smaller cohort
    }

    /// DP-FTRL under a participation cap, both strategies: 1 thread straight and 2 threads resumed give
    /// the same lines (its correlated noise is regenerated, not stored), ε reaches the target and no user
    /// took part more than the cap allows.
    @Test(arguments: ["tree", "banded"])
    func dpftrlRunsWithinItsCapAndResumesExactly(strategy: String) throws {
        let text = Self.json(privacy: #""mechanism": "dpftrl", "matrixFactorization": "\#(strategy)", "maxParticipations": 2, "#
            + #""minSeparation": 2, "epsilon": 8, "delta": 1e-5"#)
        let straight = ScenarioRunnerTests.folder(), interrupted = ScenarioRunnerTests.folder()
        let expected = try Self.run(text, threads: 1, folder: straight)
        _ = try Self.run(text, threads: 2, stopAfter: 3, folder: interrupted)
        let resumed = try Self.run(text, threads: 2, resume: true, folder: interrupted)
        #expect(try ScenarioRunnerTests.metrics(interrupted) == ScenarioRunnerTests.metrics(straight))
        #expect(resumed.privacy == expected.privacy)
        let privacy = try #require(expected.privacy)
        #expect(privacy.epsilon <= 8 && privacy.epsilon > 7.99 && privacy.mostParticipations! <= 2)
        #expect(privacy.matrixFactorization == (strategy == "tree" ? "tree" : "banded(2)") && privacy.sensitivity! > 1)
    }

    @Test func integerMechanismRuns() throws {
        let folder = ScenarioRunnerTests.folder()
        let summary = try Self.run(Self.json(privacy: #""mechanism": "skellam", "epsilon": 8, "delta": 1e-5"#, rounds: 2), folder: folder)
        let privacy = try #require(summary.privacy)
        #expect(privacy.accountant == .rdp && privacy.epsilon <= 8 && summary.finalPrimary!.isFinite)
    }

    /// Each mistake is one line naming the file, the key and what is allowed.
    @Test(arguments: [
        (#""delta": 1e-5"#, "private.json: privacy.epsilon: give a target epsilon"),
        (#""epsilon": 0, "delta": 1e-5"#, "private.json: privacy.epsilon: must be a number in (0.0, 1000000.0], got 0.0"),
        (#""epsilon": 1"#, "private.json: privacy.delta: required"),
        (#""epsilon": 1, "delta": 1"#, "private.json: privacy.delta: must be below 1"),
        (#""epsilon": 1e-9, "delta": 1e-12, "accountant": "rdp""#, "private.json: privacy.epsilon: no noise multiplier up to 10⁴ reaches"),
        (#""epsilon": 1, "delta": 1e-5, "noiseMultiplir": 1"#, "private.json: privacy.noiseMultiplir: unknown key; did you mean 'noiseMultiplier'?"),
        (#""epsilon": 1, "delta": 1e-5, "mechanism": "skellam", "accountant": "pld""#, "private.json: privacy.accountant: the integer mechanisms are accounted with rdp"),
        (#""epsilon": 1, "delta": 1e-5, "bands": 2"#, "private.json: privacy.bands: applies to mechanism dpftrl only"),
        (#""epsilon": 1, "delta": 1e-5, "mechanism": "dpftrl", "noiseCohortSize": 10"#, "private.json: privacy.noiseCohortSize: applies to the central mechanisms"),
        (#""epsilon": 1, "delta": 1e-5, "maxParticipations": 2, "noiseCohortSize": 10"#, "private.json: privacy.maxParticipations: a participation cap is accounted"),
        (#""epsilon": 1, "delta": 1e-5, "mechanism": "dpftrl", "bands": 2"#, "private.json: privacy.bands: applies to matrixFactorization banded only"),
    ])
    func impossibleOrMistakenPrivacyIsAClearError(privacy: String, message: String) {
        do {
            _ = try Scenario(json: Data(Self.json(privacy: privacy).utf8), file: "private.json")
            Issue.record("accepted: \(privacy)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }
}
