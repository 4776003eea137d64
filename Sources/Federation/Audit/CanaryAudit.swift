import Foundation
import Kernels
import Privacy

/// One run's empirical privacy audit: which users host which canaries, which canaries the coins
/// include, and, after training, their exposure and the one-run ε lower bound.
///
/// The hosts are m distinct users drawn by a keyed partial Fisher–Yates over the population; the coins
/// are `CanaryCoins`; canaries and exposure candidates come from separate keyed streams of the audit
/// seed. Everything is a function of (configuration, population size), so a resumed or distributed run
/// inserts the same canaries. Steinke, Nasr, Jagielski 2023 (the bound); Carlini et al. 2019 (exposure).
package struct CanaryAudit<Task: CanaryAuditable>: Sendable {
    package let task: Task
    package let configuration: CanaryAuditConfiguration
    /// The host user of canary i (distinct users).
    package let hosts: [Int]
    /// Whether canary i is in its host's data.
    package let included: [Bool]
    package let canaries: [Task.Canary]

    /// Stream purposes under the audit seed.
    private static var hostPurpose: UInt64 { 0xA0D17 }
    private static var canaryPurpose: UInt64 { 0xCA7A }
    private static var candidatePurpose: UInt64 { 0xCA7B }

    /// Draws the hosts, coins and canaries for a population of `userCount` users (≥ m).
    package init(task: Task, configuration: CanaryAuditConfiguration, userCount: Int) {
        let m = configuration.canaries
        precondition(m >= 1 && m <= userCount, "CanaryAudit: 1 ≤ canaries ≤ users")
        self.task = task
        self.configuration = configuration
        var stream = RandomStream(seed: configuration.seed, keys: [Self.hostPurpose])
        var swapped: [Int: Int] = [:]  // a sparse Fisher–Yates: O(m) memory whatever the population
        var chosen: [Int] = []
        chosen.reserveCapacity(m)
        for i in 0..<m {
            let j = i + stream.uniformInt(below: userCount - i)
            let picked = swapped[j] ?? j
            swapped[j] = swapped[i] ?? i
            chosen.append(picked)
        }
        hosts = chosen
        included = CanaryCoins(seed: configuration.seed, count: m).all
        canaries = (0..<m).map { index in
            var canaryStream = RandomStream(seed: configuration.seed, keys: [Self.canaryPurpose, UInt64(index)])
            return task.makeCanary(words: configuration.words, using: &canaryStream)
        }
    }

    /// The training users with the included canaries inserted.
    package func population(wrapping base: any Population<Task.User>) -> CanaryPopulation<Task> {
        var canaryOfUser: [Int: Task.Canary] = [:]
        for index in hosts.indices where included[index] { canaryOfUser[hosts[index]] = canaries[index] }
        return CanaryPopulation(base: base, task: task, canaryOfUser: canaryOfUser, repetitions: configuration.repetitions)
    }

    /// Scores the trained `model`: every canary's log-perplexity, its exposure among the candidates,
    /// the guesses (higher score −log-perplexity: "included") and the ε lower bound.
    package func evaluate(_ model: Task.Model) -> CanaryAuditResult {
        let c = configuration
        let candidates = (0..<c.candidates).map { index in
            var stream = RandomStream(seed: c.seed, keys: [Self.candidatePurpose, UInt64(index)])
            return task.makeCanary(words: c.words, using: &stream)
        }
        let canaryScores = task.logPerplexities(of: canaries, model: model)
        let candidateScores = task.logPerplexities(of: candidates, model: model)
        let exposures = canaryScores.map { CanaryExposure.exposure(of: $0, among: candidateScores) }
        let guesses = OneRunAudit.guesses(scores: canaryScores.map { -$0 }, included: included,
                                          guessIncluded: c.guessIncluded, guessExcluded: c.guessExcluded)
        let bound = OneRunAudit.epsilonLowerBound(canaries: c.canaries, guesses: guesses.count, correct: guesses.correct,
                                                  delta: c.delta, significance: 1 - c.confidence)
        return CanaryAuditResult(configuration: c, included: included, exposures: exposures, guesses: guesses,
                                 epsilonLowerBound: bound)
    }
}

/// What an audit found: the exposure of the included canaries against the excluded ones (the control:
/// never trained on, ≈ 1.44 bits on average), and the one-run ε lower bound at the configured confidence.
package struct CanaryAuditResult: Sendable, Equatable, Codable {
    package var canaries: Int
    package var includedCanaries: Int
    package var repetitions: Int
    package var candidates: Int
    /// "rank among sampled candidates" (Carlini et al. 2019 §4.2), capped at `maxExposure`.
    package var exposureMethod = "rank among sampled candidates"
    /// log₂(candidates + 1): the largest exposure the sample can show.
    package var maxExposure: Double
    package var meanExposureIncluded: Double?
    package var maxExposureIncluded: Double?
    package var meanExposureExcluded: Double?
    package var guesses: Int
    package var correctGuesses: Int
    package var confidence: Double
    package var delta: Double
    /// The run is not (ε, δ)-DP for any ε below this, with probability `confidence` over the coins.
    package var epsilonLowerBound: Double
    /// The ε the run's accountant reports as run (nil: no differential privacy), which the bound must not
    /// exceed (set by the runner).
    package var accountedEpsilon: Double?

    package init(configuration c: CanaryAuditConfiguration, included: [Bool], exposures: [Double],
                 guesses: OneRunAudit.Guesses, epsilonLowerBound: Double) {
        canaries = c.canaries
        includedCanaries = included.filter { $0 }.count
        repetitions = c.repetitions
        candidates = c.candidates
        maxExposure = log2(Double(c.candidates + 1))
        let inExposures = exposures.indices.filter { included[$0] }.map { exposures[$0] }
        let outExposures = exposures.indices.filter { !included[$0] }.map { exposures[$0] }
        meanExposureIncluded = inExposures.isEmpty ? nil : inExposures.reduce(0, +) / Double(inExposures.count)
        maxExposureIncluded = inExposures.max()
        meanExposureExcluded = outExposures.isEmpty ? nil : outExposures.reduce(0, +) / Double(outExposures.count)
        self.guesses = guesses.count
        correctGuesses = guesses.correct
        confidence = c.confidence
        delta = c.delta
        self.epsilonLowerBound = epsilonLowerBound
    }
}
