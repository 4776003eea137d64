import Experiments
import Federation
import Foundation
import Testing

/// `privacy.audit` end to end on a tiny language scenario: a run that memorises (no DP, 20 copies of each
/// canary, 40 users seen 10 times each) shows a clearly positive one-run bound and exposed canaries; the
/// same run under a huge noise multiplier shows a bound of 0, below its accounted ε, and canaries no more
/// exposed than the never-inserted ones.
@Suite struct PrivacyAuditRunTests {
    static let json = """
        {"name": "tiny-audit", "rounds": 40, "data": {"users": 40, "validationUsers": 20, "vocabularySize": 200},
         "model": {"embeddingSize": 16, "hiddenSize": 32}, "clients": {"cohortSize": 10, "learningRate": 0.5},
         "server": {"optimizer": "fedadam", "learningRate": 0.1, "beta2": 0.99, "adaptivity": 0.01},
         "evaluation": {"every": 0},
         "privacy": {"audit": {"canaries": 32, "repetitions": 20, "words": 6, "candidates": 100}}}
        """

    static func audit(_ overrides: [String] = []) throws -> CanaryAuditResult {
        var options = RunOptions()
        options.runFolder = ScenarioRunnerTests.folder()
        defer { try? FileManager.default.removeItem(atPath: options.runFolder!) }
        let scenario = try Scenario(json: Data(json.utf8), file: "tiny-audit.json", overrides: overrides)
        let summary = try ScenarioRunner(scenario: scenario, options: options, reporter: .silent).run().summary
        let written = try RunSummary.read(from: URL(fileURLWithPath: options.runFolder! + "/summary.json"))
        #expect(written.audit == summary.audit)
        return try #require(summary.audit)
    }

    @Test func aRunThatMemorisesShowsTheLeak() throws {
        let audit = try Self.audit()
        #expect(audit.accountedEpsilon == nil)
        #expect(audit.guesses == 16 && audit.correctGuesses >= 15, "\(audit.correctGuesses)")
        #expect(audit.epsilonLowerBound > 1, "\(audit.epsilonLowerBound)")
        #expect(try #require(audit.meanExposureIncluded) > 5)
        #expect(try #require(audit.meanExposureExcluded) < 3)
    }

    @Test func aRunUnderHugeNoiseStaysBelowItsEpsilon() throws {
        let audit = try Self.audit(["privacy.noiseMultiplier=1000", "privacy.delta=1e-5"])
        let accounted = try #require(audit.accountedEpsilon)
        #expect(audit.epsilonLowerBound < 0.5 && audit.epsilonLowerBound <= accounted, "\(audit.epsilonLowerBound)")
        #expect(try #require(audit.meanExposureIncluded) < 3)
    }

    @Test func theAuditIsDeterministic() throws {
        #expect(try Self.audit() == Self.audit(["privacy.audit.seed=0"]))
    }

    @Test(arguments: [
        (#"{"audit": {"canaries": 3, "fraction": 0.1}}"#, "s.json: privacy.audit.fraction: give either canaries or fraction (of the 1000 users), not both"),
        (#"{"audit": {}}"#, "s.json: privacy.audit.canaries: required: how many users get a canary (2…1000), or give a fraction of them"),
        (#"{"audit": {"canaries": 10, "words": 20}}"#, "s.json: privacy.audit.words: must be an integer in 1...19, got 20"),
        (#"{"noiseMultiplier": 1, "delta": 1e-5, "audit": {"canaries": 10, "delta": 1e-6}}"#,
         "s.json: privacy.audit.delta: a run with differential privacy is audited at its own δ (privacy.delta); remove it"),
        (#"{"audit": {"canaries": 10, "candidate": 10}}"#, "s.json: privacy.audit.candidate: unknown key; did you mean 'candidates'?"),
    ])
    func mistakesNameTheKey(privacy: String, message: String) {
        let json = #"{"data": {"users": 1000, "vocabularySize": 64}, "privacy": "# + privacy + "}"
        #expect(ScenarioTests.error(json) == message)
    }
}
