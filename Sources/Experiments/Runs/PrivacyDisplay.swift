import Foundation

/// How a run shows what its privacy means: ε as the run actually spent it, the deployment ε a noise
/// cohort stands for (labelled with the cohort it assumes), and a warning when the noise swamps the
/// signal. One definition for the progress line, the summary, the tables and the reports.
///
/// pfl-research's noise cohort reports the ε of a simulated cohort; a reader who sees only that number
/// believes the run was (2, δ)-DP when, as run, it was (688, δ)-DP (issue 26). So the number shown first
/// is always ε as run, and the noise cohort's ε comes second, saying what it assumes.
package enum PrivacyDisplay {
    /// Below this signal-to-noise ratio (‖Σ clipped updates‖ over the norm of the noise added to the sum,
    /// σ·C·√d) the noise dominates the update more than tenfold; the quickstart at ε = 2 without a
    /// noise cohort sits at 0.07 and ends above its starting perplexity (issue 26). A heuristic, not a
    /// theorem: it flags runs to look at.
    package static let swampedBelow = 0.1

    /// "2.00 for a cohort of 1000 of 20000 users": the ε a deployment with the simulated cohort would spend.
    package static func deploymentEpsilon(_ epsilon: Double, noiseCohort: Int, population: Int) -> String {
        "\(ReportFormat.epsilon(epsilon)) for a cohort of \(noiseCohort) of \(population) users"
    }

    /// The progress line's ε field: ε as run, and under a noise cohort the deployment ε beside it.
    package static func epsilonField(asRun: Double, accounted: Double, noiseCohort: (size: Int, population: Int)?) -> String {
        guard let noiseCohort else { return "ε \(ReportFormat.epsilon(asRun))" }
        return "ε \(ReportFormat.epsilon(asRun)) as run ("
            + deploymentEpsilon(accounted, noiseCohort: noiseCohort.size, population: noiseCohort.population) + ")"
    }

    /// The signal-to-noise ratio as shown: three significant digits.
    package static func signalToNoise(_ value: Double) -> String { ReportFormat.significant(value, digits: 3) }

    /// The warning for a signal-to-noise ratio below `swampedBelow`, naming the levers; nil above it.
    package static func swampWarning(signalToNoise ratio: Double, noiseCohort: Bool) -> String? {
        guard ratio < swampedBelow else { return nil }
        return "the noise swamps the signal (signal-to-noise \(signalToNoise(ratio)), below \(signalToNoise(swampedBelow))): "
            + "the update is mostly noise and the model may get worse. Levers: a larger cohort (clients.cohortSize or "
            + "clients.samplingRate: the signal grows with it, the noise does not), fewer rounds (rounds: less noise "
            + "each for the same ε), PEU (peu.rows: fewer parameters share the clip bound)"
            + (noiseCohort ? "" : ", or, for a simulation only, a noise cohort (privacy.noiseCohortSize: ε is then for "
                + "that cohort, and ε as run is far larger)")
    }

    /// The mean signal-to-noise ratio of `ratios` (nil for none).
    package static func mean(_ ratios: [Double]) -> Double? {
        ratios.isEmpty ? nil : ratios.reduce(0, +) / Double(ratios.count)
    }
}
