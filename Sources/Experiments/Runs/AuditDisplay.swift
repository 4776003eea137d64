import Federation

/// How a run's empirical privacy audit reads in the progress output and the report: the ε lower bound
/// next to the accounted ε, and the inserted canaries' exposure against the never-inserted ones'.
package enum AuditDisplay {
    /// "audit: ε ≥ 2.4 at 95% (δ = 1e-05) from 30 of 32 guesses right on 64 canaries (33 included ×8);
    /// accounted ε as run 8 …; exposure of included canaries mean 5.2 bits, max 9.97, excluded 1.4 (cap 9.97)".
    package static func line(_ audit: CanaryAuditResult) -> String {
        let percent = ReportFormat.significant(audit.confidence * 100, digits: 3)
        let accounted = audit.accountedEpsilon.map { epsilon in
            "accounted ε as run \(ReportFormat.epsilon(epsilon))" + (audit.epsilonLowerBound > epsilon ? " — the bound EXCEEDS it" : "")
        } ?? "no differential privacy"
        let bits = { (value: Double?) in value.map { ReportFormat.significant($0, digits: 3) } ?? "–" }
        return "ε ≥ \(ReportFormat.significant(audit.epsilonLowerBound, digits: 3)) at \(percent)% "
            + "(δ = \(ReportFormat.significant(audit.delta, digits: 3))) from \(audit.correctGuesses) of \(audit.guesses) guesses "
            + "right on \(audit.canaries) canaries (\(audit.includedCanaries) included ×\(audit.repetitions)); \(accounted); "
            + "exposure of included canaries mean \(bits(audit.meanExposureIncluded)) bits, max \(bits(audit.maxExposureIncluded)), "
            + "of excluded \(bits(audit.meanExposureExcluded)) (cap \(bits(audit.maxExposure)): rank among \(audit.candidates) "
            + "random candidates)"
    }
}
