import Foundation
import Testing

@Suite struct PrivacyCommandTests {
    @Test func epsilonAsJSONMatchesDPAccounting() throws {
        // dp_accounting 0.6.0's PLDAccountant gives ε = 2.0060086 for this run (docs/benchmarks.md).
        let result = CommandLineTests.run(["privacy", "epsilon", "--noise", "1.32", "--rate", "0.005", "--steps", "10000",
                                           "--delta", "1e-6", "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        #expect(abs((object?["epsilon"] as? Double ?? 0) - 2.0060086) < 1e-3)
        #expect(object?["accountant"] as? String == "pld" && object?["delta"] as? Double == 1e-6)
    }

    @Test func calibrateFindsTheNoiseAndTheSentenceSaysSo() {
        let result = CommandLineTests.run(["privacy", "calibrate", "--epsilon", "2", "--delta", "1e-6", "--rate", "0.005",
                                           "--steps", "10000"])
        #expect(result.status == 0 && result.output.hasPrefix("noise multiplier 1.32"))
    }

    @Test(arguments: [
        (["privacy", "epsilon", "--noise", "1", "--steps", "10"], "privacy epsilon: needs --delta D, the δ of the (ε, δ) guarantee"),
        (["privacy", "epsilon", "--noise", "1", "--steps", "10", "--delta", "2"], "privacy epsilon: option '--delta': '2' is not valid"),
        (["privacy", "calibrate", "--epsilon", "-1", "--delta", "1e-6", "--steps", "5"], "privacy calibrate: option '--epsilon': '-1' is not valid"),
        (["privacy", "epsilon", "--noise", "1", "--steps", "10", "--delta", "1e-6", "--accountant", "moments"],
         "privacy epsilon: option '--accountant': 'moments' is not valid; allowed: rdp, pld"),
    ])
    func badInputIsOneLineAndExit64(arguments: [String], message: String) {
        let result = CommandLineTests.run(arguments)
        #expect(result.status == 64 && result.errors.hasPrefix("murmur: " + message), "\(result.errors)")
    }
}
