import Experiments
import Foundation
import Testing

/// `output.tensorNorms` end to end: the metrics lines carry every tensor's norms, they read back, and
/// the report draws them by layer kind beside the pseudo-gradient before and after noise.
@Suite struct UpdateNormReportTests {
    static let json = """
        {"name": "norms", "seed": 5, "rounds": 3,
         "data": {"users": 100, "validationUsers": 10, "vocabularySize": 50},
         "model": {"embeddingSize": 8, "hiddenSize": 12},
         "clients": {"cohortSize": 5, "learningRate": 0.5},
         "privacy": {"noiseMultiplier": 0.01, "clipBound": 5, "delta": 1e-4},
         "evaluation": {"every": 3}, "output": {"checkpointEvery": 3, "tensorNorms": true}}
        """

    @Test func metricsLinesAndReportCarryTheNorms() throws {
        let folder = ScenarioRunnerTests.folder()
        _ = try ScenarioRunnerTests.run(Self.json, file: "norms.json", folder: folder)
        let lines = try ScenarioRunnerTests.metrics(folder).filter { $0.round > 0 }
        #expect(lines.count == 3)
        for line in lines {
            let norms = try #require(line.clientUpdateNorms)
            #expect(Set(norms.keys) == ["embedding.weight", "lstm.inputWeight", "lstm.recurrentWeight", "lstm.bias",
                                        "projection.weight", "projection.bias"])
            #expect(norms.values.allSatisfy { $0.max >= $0.mean && $0.mean > 0 })
            let before = try #require(line.updateNormBeforeNoise)
            let after = try #require(line.updateNorm)
            #expect(before > 0 && after != before)
        }
        let html = try RunReport.html(folder: folder)
        #expect(html.contains("Server pseudo-gradient") && html.contains("Client update norms by layer kind"))
        #expect(html.contains("LSTM") && html.contains("embedding"))
    }

    @Test func withoutTheKeyNoTensorNormsAreWritten() throws {
        let folder = ScenarioRunnerTests.folder()
        _ = try ScenarioRunnerTests.run(Self.json.replacingOccurrences(of: ", \"tensorNorms\": true", with: ""),
                                        file: "norms.json", folder: folder)
        #expect(try ScenarioRunnerTests.metrics(folder).allSatisfy { $0.clientUpdateNorms == nil })
    }
}
