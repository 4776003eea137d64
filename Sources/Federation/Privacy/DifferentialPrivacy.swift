import Foundation
import Kernels
import Learning
import Privacy
import Synchronization

/// The differential-privacy step of a round, both halves in one place (pfl-research's
/// `Postprocessor`): on each client it clips the update (and, for local or integer mechanisms, adds
/// the client's noise); on the server it adds the central noise, normalises by the public expected
/// cohort size and moves an adaptive clip bound. It reports the privacy event of what it did, which
/// the run's accountant composes.
///
/// The only state is the adaptive clip bound, which the round driver checkpoints. Noise comes from
/// streams keyed by (seed, round[, user]), so a run replays bit for bit on any thread count.
package final class DifferentialPrivacy: Sendable {
    package let configuration: PrivacyConfiguration
    private let tensorRanges: [Range<Int>]
    private let dimension: Int
    private let bound: Mutex<Double>

    package init(configuration: PrivacyConfiguration, layout: ParameterLayout) {
        self.configuration = configuration
        tensorRanges = layout.entries.map(\.range)
        dimension = layout.count
        bound = Mutex(configuration.adaptiveClipping?.initialBound ?? configuration.clipBound)
    }

    /// The clip bound in force this round.
    package var clipBound: Double {
        get { bound.withLock { $0 } }
        set { bound.withLock { $0 = newValue } }
    }

    // MARK: - Client half

    /// Clips the update and adds the client's share of noise, if the mechanism has one.
    package func processClient(_ update: inout ClientUpdate, context: RoundContext) {
        guard update.weight > 0 else { return }
        let c = configuration, clip = clipBound
        let rule = c.clippingRule(bound: clip)
        var stream = RandomStream(seed: context.seed, keys: [0xD1FF_C11E, UInt64(context.round), UInt64(update.userIndex)])
        let ranges = tensorRanges
        let expected = context.expectedCohortSize
        update.delta.withUnsafeMutableBufferPointer { values in
            let norm = rule.clip(values, tensorRanges: ranges)
            if c.adaptiveClipping != nil { update.withinClipBound = norm <= clip }
            let z = c.noiseMultiplier
            switch c.mechanism {
            case .gaussian, .laplace, .dpftrl: break
            case .localGaussian: NoiseSampler.addGaussian(to: values, standardDeviation: z * clip, stream: &stream)
            case .localLaplace: NoiseSampler.addLaplace(to: values, scale: z * clip, stream: &stream)
            case .discreteGaussian, .skellam:
                let scale = PrivacyConfiguration.integerScale(bound: clip, dimension: dimension)
                for index in values.indices {
                    // Unbiased randomised rounding to the integer grid.
                    let scaled = Double(values[index]) * scale, low = floor(scaled)
                    values[index] = Float(low + (stream.uniformDouble() < scaled - low ? 1 : 0))
                }
                let share = PrivacyConfiguration.integerShare(noiseMultiplier: z, dimension: dimension, expectedCohort: expected)
                for index in values.indices {
                    let noise = c.mechanism == .skellam
                        ? NoiseSampler.skellam(variance: share * share, stream: &stream)
                        : NoiseSampler.discreteGaussian(sigma: share, stream: &stream)
                    values[index] += Float(noise)
                }
            }
        }
    }

    // MARK: - Server half

    /// The standard deviation of the central Gaussian noise the next `processServer` adds to each coordinate
    /// of the sum (nil for other mechanisms): σ · C, scaled down to the real cohort under a noise cohort.
    package func centralNoiseStandardDeviation(context: RoundContext) -> Double? {
        let c = configuration
        if c.mechanism == .dpftrl, let factorisation = c.matrixFactorization {
            // Consecutive rounds' noise is anti-correlated and partly cancels in the model: measure the round
            // against the independent per-round noise that would accumulate to the same, prefix norm / √t.
            let norm = factorisation.prefixNoiseNorm(round: context.round) / Double(max(context.round, 1)).squareRoot()
            return c.noiseMultiplier * clipBound * norm
        }
        guard c.mechanism == .gaussian else { return nil }
        let cohortScale = c.noiseCohortSize.map { Double(context.cohortSize) / Double($0) } ?? 1
        return (c.updateNoiseMultiplier ?? c.noiseMultiplier) * clipBound * cohortScale
    }

    /// Adds central noise, decodes integers, sets the normaliser, moves an adaptive bound; returns the
    /// event of what was done this round and the event "as run" when that differs (noise cohort).
    ///
    /// `admit` sees the round's events before anything is released; if it throws (the budget would be
    /// exceeded), the aggregate and the clip bound are left as they were and the error propagates.
    package func processServer(_ aggregate: inout Aggregate, context: RoundContext, sampling: CohortSampling,
                               admit: (DPEvent, DPEvent?) throws -> Void) throws -> (event: DPEvent, asRun: DPEvent?) {
        let c = configuration, clip = clipBound
        // pfl's noise cohort: noise on the sum as if `noiseCohortSize` users had contributed.
        let cohortScale = c.noiseCohortSize.map { Double(context.cohortSize) / Double($0) } ?? 1
        let spent = events(context: context, sampling: sampling, contributors: aggregate.contributors, cohortScale: cohortScale)
        try admit(spent.event, spent.asRun)
        var stream = RandomStream(seed: context.seed, keys: [0xD1FF_5E7E, UInt64(context.round)])
        let updateMultiplier = c.updateNoiseMultiplier ?? c.noiseMultiplier
        switch c.mechanism {
        case .gaussian:
            aggregate.sum.withUnsafeMutableBufferPointer {
                NoiseSampler.addGaussian(to: $0, standardDeviation: updateMultiplier * clip * cohortScale, stream: &stream)
            }
        case .laplace:
            aggregate.sum.withUnsafeMutableBufferPointer {
                NoiseSampler.addLaplace(to: $0, scale: c.noiseMultiplier * clip * cohortScale, stream: &stream)
            }
        case .dpftrl:
            // Round t's row of C⁻¹: each i.i.d. vector regenerated from its own stream, keyed by round or tree node.
            let sigma = c.noiseMultiplier * clip * cohortScale
            for term in c.matrixFactorization?.noiseTerms(round: context.round) ?? [] {
                var vector = RandomStream(seed: context.seed, keys: [0xD1FF_F7E1, term.key])
                aggregate.sum.withUnsafeMutableBufferPointer {
                    NoiseSampler.addScaledGaussian(to: $0, scale: term.coefficient * sigma, stream: &vector)
                }
            }
        case .localGaussian, .localLaplace: break
        case .discreteGaussian, .skellam:
            aggregate.sum.scale(by: Float(1 / PrivacyConfiguration.integerScale(bound: clip, dimension: dimension)))
        }
        if !c.mechanism.isLocal {
            // Divide by what is public: the expected cohort (the real one with a noise cohort, as pfl does).
            aggregate.normaliser = c.noiseCohortSize != nil ? Double(context.cohortSize) : max(context.expectedCohortSize, 1)
        }
        if let adaptive = c.adaptiveClipping {
            let noisyCount = aggregate.countWithinClipBound + adaptive.countNoiseStandardDeviation * stream.normal()
            clipBound = adaptive.nextBound(after: clip, noisyCountWithin: noisyCount, expectedCohort: max(context.expectedCohortSize, 1))
        }
        return spent
    }

    private func events(context: RoundContext, sampling: CohortSampling, contributors: Int, cohortScale: Double)
        -> (event: DPEvent, asRun: DPEvent?) {
        let c = configuration
        let mechanism = c.mechanism == .dpftrl ? c.dpftrlEvent(round: context.round, noiseMultiplier: c.noiseMultiplier)
            : c.mechanismEvent(noiseMultiplier: c.noiseMultiplier, dimension: dimension,
                               expectedCohort: context.expectedCohortSize, contributors: contributors)
        let event = c.roundEvent(mechanism, sampling: sampling, population: context.populationSize)
        guard c.noiseCohortSize != nil else { return (event, nil) }
        // Accounted as the simulated cohort; as run, the real cohort with the scaled-down noise.
        let asRunMultiplier: Double
        if c.mechanism == .gaussian, let adaptive = c.adaptiveClipping, let update = c.updateNoiseMultiplier {
            let scaled = update * cohortScale, count = 2 * adaptive.countNoiseStandardDeviation
            asRunMultiplier = 1 / (1 / (scaled * scaled) + 1 / (count * count)).squareRoot()
        } else {
            asRunMultiplier = c.noiseMultiplier * cohortScale
        }
        let asRunBase = c.mechanismEvent(noiseMultiplier: asRunMultiplier, dimension: dimension,
                                         expectedCohort: context.expectedCohortSize, contributors: contributors)
        let rate = min(1, context.expectedCohortSize / Double(context.populationSize))
        return (event, .poissonSampled(probability: rate, event: asRunBase))
    }
}
