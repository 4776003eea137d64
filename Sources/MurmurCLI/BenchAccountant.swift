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
        return 0
    }
    return command
}()

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
