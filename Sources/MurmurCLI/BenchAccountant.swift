import Foundation
import Privacy

/// `murmur bench accountant`: how long ε and calibration take for a long DP run, per accountant.
let benchAccountantCommand: Command = {
    var command = Command(
        name: "accountant",
        summary: """
            Seconds to compute ε for T steps of a Poisson-sampled Gaussian, and to calibrate the noise for a
            target ε, with the RDP and PLD accountants (median of repeats). Google's dp_accounting takes
            0.27 s and 4.75 s for the PLD cases at the defaults on this project's machine (docs/benchmarks.md).
            Then the cost of one more round in a run (compose the round's event on a copy, read ε) at rounds
            2, 20, 200 and 2000, with Poisson sampling and a fixed cohort: it should not grow (docs/privacy.md).
            """)
    command.signature.options = [
        .init(name: "steps", valueName: "T", help: "number of steps", defaultValue: "10000"),
        .init(name: "rate", valueName: "Q", help: "Poisson sampling probability", defaultValue: "0.005"),
        .init(name: "noise", valueName: "Z", help: "noise multiplier for the ε case", defaultValue: "1.32"),
        .init(name: "epsilon", valueName: "E", help: "target ε for the calibration case", defaultValue: "2"),
        .init(name: "delta", valueName: "D", help: "δ", defaultValue: "1e-6"),
        .init(name: "repeats", valueName: "N", help: "timed repeats per case", defaultValue: "5"),
    ]
    command.action = { arguments, console in
        let name = "bench accountant"
        let steps = try parsePositiveIntegers(arguments.value("steps")!, option: "steps", command: name, range: 1...10_000_000)[0]
        let rate = try parsePositiveDouble(arguments.value("rate")!, option: "rate", command: name)
        let noise = try parsePositiveDouble(arguments.value("noise")!, option: "noise", command: name)
        let epsilon = try parsePositiveDouble(arguments.value("epsilon")!, option: "epsilon", command: name)
        let delta = try parsePositiveDouble(arguments.value("delta")!, option: "delta", command: name)
        let repeats = try parsePositiveIntegers(arguments.value("repeats")!, option: "repeats", command: name, range: 1...1000)[0]
        guard rate <= 1 else { throw CommandLineError.invalidValue(command: name, option: "--rate", value: "\(rate)", allowed: "a probability in (0, 1]") }
        let event = { (z: Double) in DPEvent.poissonSampled(probability: rate, event: .gaussian(noiseMultiplier: z)) }
        for kind in AccountantKind.allCases {
            let calibration = NoiseCalibration(accountant: kind)
            var value = 0.0
            let epsilonSeconds = try medianSeconds(repeats) {
                value = try calibration.epsilon(steps: steps, delta: delta, event: event, noiseMultiplier: noise)
            }
            console.write("{\"bench\":\"accountant\",\"case\":\"epsilon\",\"accountant\":\"\(kind.rawValue)\",\"steps\":\(steps),"
                + "\"rate\":\(rate),\"noiseMultiplier\":\(noise),\"delta\":\(delta),\"epsilon\":\(rounded(value, digits: 6)),"
                + "\"seconds\":\(rounded(epsilonSeconds, digits: 4))}")
            let calibrateSeconds = try medianSeconds(repeats) {
                value = try calibration.smallestNoiseMultiplier(epsilon: epsilon, delta: delta, steps: steps, event: event)
            }
            console.write("{\"bench\":\"accountant\",\"case\":\"calibrate\",\"accountant\":\"\(kind.rawValue)\",\"steps\":\(steps),"
                + "\"rate\":\(rate),\"targetEpsilon\":\(epsilon),\"delta\":\(delta),\"noiseMultiplier\":\(rounded(value, digits: 6)),"
                + "\"seconds\":\(rounded(calibrateSeconds, digits: 4))}")
        }
        try benchOneMoreRound(rate: rate, noise: noise, delta: delta, repeats: repeats, console: console)
        return 0
    }
    return command
}()

/// Seconds (median over `repeats` consecutive rounds) and, for PLD, counted work of one more round
/// after `round` rounds, as PrivacyTracker spends it: a copy of the run's accountant composes the
/// round's event and reads ε, and becomes the run's accountant. (RDP has no fixed-cohort analysis.)
private func benchOneMoreRound(rate: Double, noise: Double, delta: Double, repeats: Int, console: Console) throws {
    let population = 20_000, cohort = max(1, Int((rate * Double(population)).rounded()))
    let cases: [(sampling: String, relation: NeighbouringRelation, event: DPEvent)] = [
        ("poisson", .addOrRemoveOne, .poissonSampled(probability: rate, event: .gaussian(noiseMultiplier: noise))),
        ("fixedCohort", .replaceOne, .sampledWithoutReplacement(sampleSize: cohort, populationSize: population,
                                                                 event: .gaussian(noiseMultiplier: noise))),
    ]
    for (sampling, relation, event) in cases {
        for kind in AccountantKind.allCases where kind == .pld || relation == .addOrRemoveOne {
            for round in [2, 20, 200, 2000] {
                var accountant = kind.make(relation: relation)
                try accountant.compose(event, count: round - 1)
                _ = try accountant.epsilon(delta: delta)  // the run has read ε after every round so far
                let before = (accountant as? PLDAccountant)?.work
                var value = 0.0
                let seconds = try medianSeconds(repeats) {
                    var next = accountant
                    try next.compose(event, count: 1)
                    value = try next.epsilon(delta: delta)
                    accountant = next
                }
                var work = ""
                if let before, let after = (accountant as? PLDAccountant)?.work {
                    work = ",\"transformsPerRound\":\(rounded(Double(after.transforms - before.transforms) / Double(repeats), digits: 2)),"
                        + "\"largestTransform\":\(after.largestTransform),\"distributionsBuilt\":\(after.distributionsBuilt - before.distributionsBuilt)"
                }
                console.write("{\"bench\":\"accountant\",\"case\":\"oneMoreRound\",\"accountant\":\"\(kind.rawValue)\","
                    + "\"sampling\":\"\(sampling)\",\"round\":\(round),\"epsilon\":\(rounded(value, digits: 6)),"
                    + "\"seconds\":\(rounded(seconds, digits: 4))\(work)}")
            }
        }
    }
}
/// The median wall time of `repeats` runs of `body`.
private func medianSeconds(_ repeats: Int, _ body: () throws -> Void) throws -> Double {
    var times: [Double] = []
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        try body()
        times.append((ContinuousClock.now - start) / .seconds(1))
    }
    return times.sorted()[times.count / 2]
}
