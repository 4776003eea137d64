import Experiments
import Federation
import Foundation
import Testing

/// Runs with secure aggregation: metrics and summary carry survivors and costs, a run resumes
/// exactly, and every mistake in the section is one line naming the key.
@Suite struct SecureRunTests {
    static func json(secure: String, privacy: String? = nil, clients: String = #""cohortSize": 8"#) -> String {
        """
        {"name": "secure", "seed": 4, "rounds": 4,
         "data": {"users": 300, "validationUsers": 20, "vocabularySize": 60},
         "model": {"embeddingSize": 8, "hiddenSize": 16},
         "clients": {\(clients), "learningRate": 0.5},
         "server": {"optimizer": "fedavg", "learningRate": 1.0},
         \(privacy.map { "\"privacy\": {\($0)}," } ?? "")
         "secureAggregation": {\(secure)},
         "evaluation": {"every": 2}, "output": {"checkpointEvery": 2}}
        """
    }

    static func run(_ text: String, threads: Int = 2, stopAfter: Int? = nil, resume: Bool = false, folder: String) throws -> RunSummary {
        try ScenarioRunnerTests.run(text, file: "secure.json", threads: threads, stopAfter: stopAfter, resume: resume, folder: folder)
    }

    @Test func secureRunReportsSurvivorsAndCosts() throws {
        let folder = ScenarioRunnerTests.folder()
        let summary = try Self.run(Self.json(secure: #""protocol": "secaggplus", "neighbours": 4, "clipBound": 5, "dropoutRate": 0.1"#),
                                   folder: folder)
        let secure = try #require(summary.secureAggregation)
        #expect(secure.protocolKind == .secaggplus && secure.rounds == 4)
        #expect(secure.bytesSentPerClient > 4 * summary.parameters)  // the masked vector, 32 bits an element
        let lines = try ScenarioRunnerTests.metrics(folder).filter { $0.round > 0 }
        for line in lines {
            let round = try #require(line.secureAggregation)
            #expect(round.survivors.count == 4 && round.survivors[0] <= 8)
            #expect(line.clientsDropped == 8 - round.survivors[2])
            #expect(line.clientsFinished == (round.failure == nil ? round.survivors[2] : 0))
        }
        #expect(summary.finalPrimary!.isFinite)
    }

    @Test func secureRunResumesExactly() throws {
        let text = Self.json(secure: #""protocol": "secagg", "clipBound": 5, "dropoutRates": {"maskedInput": 0.1}"#)
        let straight = ScenarioRunnerTests.folder(), interrupted = ScenarioRunnerTests.folder()
        let whole = try Self.run(text, threads: 1, folder: straight)
        _ = try Self.run(text, threads: 2, stopAfter: 2, folder: interrupted)
        let resumed = try Self.run(text, threads: 2, resume: true, folder: interrupted)
        #expect(resumed.finalPrimary == whole.finalPrimary)
        let a = try ScenarioRunnerTests.metrics(straight), b = try ScenarioRunnerTests.metrics(interrupted)
        #expect(a.map({ $0.metric("validationLoss") }) == b.map({ $0.metric("validationLoss") }))
        #expect(a.map(\.secureAggregation?.survivors) == b.map(\.secureAggregation?.survivors))
    }

    /// Central DP over a secure sum: ε grows on every round that released a sum, and a round whose
    /// protocol failed (too few survivors) spends nothing.
    @Test func failedRoundsSpendNoPrivacy() throws {
        let folder = ScenarioRunnerTests.folder()
        var text = Self.json(secure: #""protocol": "secagg", "dropoutRates": {"maskedInput": 0.45}"#,
                             privacy: #""mechanism": "gaussian", "noiseMultiplier": 1.5, "delta": 1e-5"#)
        text = text.replacingOccurrences(of: "\"rounds\": 4", with: "\"rounds\": 8")
        let summary = try Self.run(text, folder: folder)
        let lines = try ScenarioRunnerTests.metrics(folder).filter { $0.round > 0 }
        var previous = 0.0, failed = 0
        for line in lines {
            let epsilon = try #require(line.epsilon)
            if line.secureAggregation?.failure != nil {
                failed += 1
                #expect(epsilon == previous)
            } else {
                #expect(epsilon > previous)
            }
            previous = epsilon
        }
        #expect(failed > 0 && failed < lines.count)  // the seed gives both kinds of round
        #expect(summary.privacy?.ledger.hasSuffix("× \(lines.count - failed)") == true, "\(summary.privacy!.ledger)")
    }

    /// Each mistake is one line naming the file, the key and what is allowed.
    @Test(arguments: [
        (#""protocol": "secagg""#, nil, "secure.json: secureAggregation.clipBound: required without a privacy section"),
        (#""protocol": "secag", "clipBound": 1"#, nil, "secure.json: secureAggregation.protocol: "),
        (#""protocol": "secagg", "neighbours": 4, "clipBound": 1"#, nil, "secure.json: secureAggregation.neighbours: applies to secaggplus only"),
        (#""clipBound": 1, "bits": 4"#, nil, "secure.json: secureAggregation.bits: must be an integer in 8...32"),
        (#""clipBound": 1, "bits": 8"#, nil, "secure.json: secureAggregation.bits: a 8-bit ring cannot hold the sum of 8 clients"),
        (#""clipBound": 1, "dropoutRate": 0.1, "dropoutRates": {"shareKeys": 0.1}"#, nil, "secure.json: secureAggregation.dropoutRates: give either"),
        (#""clipBound": 1, "dropoutRates": {"sharekeys": 0.1}"#, nil, "secure.json: secureAggregation.dropoutRates.sharekeys: unknown key"),
        (#""clipBound": 1, "dropoutRate": 1"#, nil, "secure.json: secureAggregation.dropoutRate: must be below 1"),
        (#""clipBound": 1"#, #""mechanism": "gaussian", "noiseMultiplier": 1, "delta": 1e-5"#, "secure.json: secureAggregation.clipBound: the privacy section's clipBound"),
        ("", #""mechanism": "localGaussian", "noiseMultiplier": 1, "delta": 1e-5"#, "secure.json: secureAggregation.protocol: localGaussian noises each update"),
    ] as [(String, String?, String)])
    func mistakenSecureAggregationIsAClearError(secure: String, privacy: String?, message: String) {
        do {
            _ = try Scenario(json: Data(Self.json(secure: secure, privacy: privacy).utf8), file: "secure.json")
            Issue.record("accepted: \(secure)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    /// Distributed DP's integers need room in the ring for the cohort's values and its summed noise.
    @Test func ringTooNarrowForDistributedNoiseIsRefused() {
        let text = Self.json(secure: #""bits": 16"#, privacy: #""mechanism": "skellam", "noiseMultiplier": 1, "delta": 1e-5"#,
                             clients: #""sampling": "poisson", "samplingRate": 0.03"#)
        #expect(throws: ScenarioError.self) { try Scenario(json: Data(text.utf8), file: "secure.json") }
        do { _ = try Scenario(json: Data(text.utf8), file: "secure.json") } catch {
            #expect(error.description.hasPrefix("secure.json: secureAggregation.bits: a 16-bit ring cannot hold the sum of 27 clients"),
                    "\(error.description)")
        }
        let wide = Self.json(secure: #""bits": 32"#, privacy: #""mechanism": "skellam", "noiseMultiplier": 1, "delta": 1e-5"#,
                             clients: #""sampling": "poisson", "samplingRate": 0.03"#)
        #expect(throws: Never.self) { try Scenario(json: Data(wide.utf8), file: "secure.json") }
    }
}
