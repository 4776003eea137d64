import Foundation
import Privacy
import Testing

@Suite struct NoiseCalibrationTests {
    static func event(_ z: Double) -> DPEvent { .poissonSampled(probability: 0.01, event: .gaussian(noiseMultiplier: z)) }

    /// Calibrates `event` and expects the noise found to meet the target while one a little smaller
    /// (twice the search's tolerance) does not: it is the smallest.
    static func expectSmallest(_ calibration: NoiseCalibration, epsilon target: Double, delta: Double, steps: Int,
                               event: (Double) -> DPEvent) throws {
        let z = try calibration.smallestNoiseMultiplier(epsilon: target, delta: delta, steps: steps, event: event)
        let atZ = try calibration.epsilon(steps: steps, delta: delta, event: event, noiseMultiplier: z)
        let below = try calibration.epsilon(steps: steps, delta: delta, event: event, noiseMultiplier: z * (1 - 2 * calibration.tolerance))
        #expect(atZ <= target && below > target, "z \(z): ε \(atZ), just below \(below)")
    }

    /// The calibrated noise meets the target and a slightly smaller one does not (it is the smallest).
    @Test(arguments: AccountantKind.allCases)
    func calibratedNoiseIsTheSmallestThatMeetsTheTarget(kind: AccountantKind) throws {
        let calibration = NoiseCalibration(accountant: kind)
        try Self.expectSmallest(calibration, epsilon: 1.5, delta: 1e-6, steps: 1000, event: Self.event)
    }

    /// pld needs less noise than rdp for the same budget (it is tighter), never more.
    @Test func pldCalibratesBelowRDP() throws {
        let pld = try NoiseCalibration(accountant: .pld).smallestNoiseMultiplier(epsilon: 2, delta: 1e-6, steps: 2000, event: Self.event)
        let rdp = try NoiseCalibration(accountant: .rdp).smallestNoiseMultiplier(epsilon: 2, delta: 1e-6, steps: 2000, event: Self.event)
        #expect(pld < rdp)
    }

    @Test func largestStepsIsTheLastThatFits() throws {
        let calibration = NoiseCalibration(accountant: .rdp)
        let steps = try calibration.largestSteps(epsilon: 1, delta: 1e-5, event: Self.event(1.0))
        let at = try calibration.epsilon(steps: steps, delta: 1e-5, event: { _ in Self.event(1.0) }, noiseMultiplier: 0)
        let after = try calibration.epsilon(steps: steps + 1, delta: 1e-5, event: { _ in Self.event(1.0) }, noiseMultiplier: 0)
        #expect(steps > 0 && at <= 1 && after > 1)
    }

    @Test func impossibleTargetsAreErrors() {
        let calibration = NoiseCalibration(accountant: .rdp)
        #expect(throws: AccountingError.self) { try calibration.smallestNoiseMultiplier(epsilon: 0, delta: 1e-6, steps: 10, event: Self.event) }
        #expect(throws: AccountingError.self) { try calibration.smallestNoiseMultiplier(epsilon: 1, delta: 1, steps: 10, event: Self.event) }
        #expect(throws: AccountingError.self) { try calibration.smallestNoiseMultiplier(epsilon: 1, delta: 1e-6, steps: 0, event: Self.event) }
    }

    /// A hostile scenario's calibration finishes and is right: 10⁶ rounds of a fixed cohort of 50 from
    /// 20,000 users (replace-one, which RDP cannot bracket), the quickstart with `--set rounds=1000000`.
    /// It once took over 10 minutes (docs/reliability.md); if that returns, this test hangs CI.
    @Test func millionFixedCohortRoundsCalibrate() throws {
        let calibration = NoiseCalibration(accountant: .pld, relation: .replaceOne)
        let event = { (z: Double) in DPEvent.sampledWithoutReplacement(sampleSize: 50, populationSize: 20_000, event: .gaussian(noiseMultiplier: z)) }
        try Self.expectSmallest(calibration, epsilon: 1, delta: 1e-6, steps: 1_000_000, event: event)
    }
}
