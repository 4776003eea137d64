import Experiments
import Federation
import Foundation
import Synchronization
import Testing

/// ε as run is what a run shows first, everywhere; a noise cohort's ε comes second and says which cohort
/// it assumes; a run whose noise swamps the signal says so while it runs and in its summary (issue 26).
@Suite struct PrivacyDisplayTests {
    /// Runs `text` with a reporter that records every line it writes.
    static func runRecording(_ text: String, folder: String) throws -> (summary: RunSummary, lines: [String]) {
        let written = Mutex<[String]>([])
        let reporter = RunReporter(isTerminal: false) { line in written.withLock { $0.append(line) } }
        var options = RunOptions()
        options.runFolder = folder
        let scenario = try Scenario(json: Data(text.utf8), file: "private.json")
        let summary = try ScenarioRunner(scenario: scenario, options: options, reporter: reporter).run().summary
        return (summary, written.withLock { $0 })
    }

    @Test func noiseCohortShowsEpsilonAsRunFirstAndLabelsTheCohortsEpsilon() throws {
        let folder = ScenarioRunnerTests.folder()
        let text = PrivateRunTests.json(privacy: #""epsilon": 2, "delta": 1e-5, "noiseCohortSize": 100"#, rounds: 3)
        let (summary, written) = try Self.runRecording(text, folder: folder)
        let privacy = try #require(summary.privacy)
        let asRun = try #require(privacy.epsilonAsRun)
        #expect(asRun > 5 * privacy.epsilon && privacy.epsilonShown == asRun)
        #expect(privacy.deploymentEpsilon == "\(ReportFormat.epsilon(privacy.epsilon)) for a cohort of 100 of 300 users")
        // Every metrics line carries ε as run, growing, ending at the summary's.
        let lines = try ScenarioRunnerTests.metrics(folder).filter { $0.round > 0 }
        let asRunByRound = lines.compactMap(\.epsilonAsRun)
        #expect(asRunByRound.count == 3 && zip(asRunByRound, asRunByRound.dropFirst()).allSatisfy { $0 < $1 })
        #expect(asRunByRound.last == asRun && lines.allSatisfy { $0.epsilonShown == $0.epsilonAsRun })
        // The progress line (evaluation rounds, off a terminal) and the closing note show ε as run, then the cohort's.
        let progress = try #require(written.last { $0.hasPrefix("round 3/3") })
        #expect(progress.contains("ε \(ReportFormat.epsilon(asRun)) as run (\(privacy.deploymentEpsilon!))"))
        #expect(progress.contains(" · SNR "))
        #expect(written.contains { $0.contains("ε as run \(ReportFormat.epsilon(asRun)) at δ = ")
            && $0.contains("(\(privacy.deploymentEpsilon!), the noise cohort's accounting)") })
        // The run's report says the same.
        let html = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
        #expect(html.contains("ε as run") && html.contains("for a cohort of 100 of 300 users") && html.contains("Signal to noise"))
    }

    @Test func withoutANoiseCohortEpsilonAsRunIsTheAccountedOne() throws {
        let folder = ScenarioRunnerTests.folder()
        let (summary, written) = try Self.runRecording(PrivateRunTests.json(privacy: #""epsilon": 3, "delta": 1e-5"#, rounds: 3),
                                                       folder: folder)
        let privacy = try #require(summary.privacy)
        #expect(privacy.epsilonAsRun == nil && privacy.epsilonShown == privacy.epsilon && privacy.deploymentEpsilon == nil)
        #expect(try ScenarioRunnerTests.metrics(folder).allSatisfy { $0.epsilonAsRun == nil })
        let progress = try #require(written.last { $0.hasPrefix("round 3/3") })
        #expect(progress.contains("ε \(ReportFormat.epsilon(privacy.epsilon)) · ") && !progress.contains("as run"))
    }

    /// Heavy noise on a cohort of 12: the signal-to-noise ratio is far below 0.1, which the run warns of
    /// once while it goes and again in the summary, naming the levers; a light-noise run is not warned.
    @Test func noiseThatSwampsTheSignalIsWarnedOfWithTheLevers() throws {
        let noisy = try Self.runRecording(PrivateRunTests.json(privacy: #""noiseMultiplier": 20, "delta": 1e-5, "clipBound": 1"#),
                                          folder: ScenarioRunnerTests.folder())
        let privacy = try #require(noisy.summary.privacy)
        let ratio = try #require(privacy.meanSignalToNoise)
        #expect(ratio < PrivacyDisplay.swampedBelow)
        let warning = try #require(privacy.signalToNoiseWarning)
        for lever in ["clients.cohortSize", "rounds", "privacy.noiseCohortSize", "peu.rows"] { #expect(warning.contains(lever)) }
        #expect(noisy.lines.filter { $0.contains("WARNING after round") && $0.contains("noise swamps the signal") }.count == 1)
        #expect(noisy.lines.contains { $0.contains("WARNING: the noise swamps") })

        let quiet = try Self.runRecording(PrivateRunTests.json(privacy: #""noiseMultiplier": 0.001, "delta": 1e-5, "clipBound": 1"#),
                                          folder: ScenarioRunnerTests.folder())
        let quietRatio = try #require(quiet.summary.privacy?.meanSignalToNoise)
        #expect(quietRatio > PrivacyDisplay.swampedBelow && quiet.summary.privacy?.signalToNoiseWarning == nil)
        #expect(!quiet.lines.contains { $0.contains("WARNING") })
    }

    @Test func theWarningOmitsTheNoiseCohortLeverWhenOneIsSet() {
        #expect(PrivacyDisplay.swampWarning(signalToNoise: 0.5, noiseCohort: false) == nil)
        let with = PrivacyDisplay.swampWarning(signalToNoise: 0.01, noiseCohort: true)!
        #expect(!with.contains("privacy.noiseCohortSize") && with.contains("signal-to-noise 0.01"))
    }
}
