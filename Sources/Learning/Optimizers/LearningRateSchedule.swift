import Foundation

/// How the learning rate changes with the step (or round) count; `rate(at:)` is a pure function.
///
/// Warm-up is linear from base/warmupSteps to base over `warmupSteps` (Goyal et al. 2017); cosine decay
/// follows Loshchilov & Hutter 2017 without restarts, from base down to `minimumFactor`·base at
/// `totalSteps`; step decay multiplies by `factor` every `everySteps`; exponential decay multiplies by
/// rate^((step − startStep)/transitionSteps) from `startStep` on, continuously (TensorFlow's
/// `ExponentialDecay` with `staircase: false`, offset by a start step as the ml-pfl4asr configs use it).
package enum LearningRateSchedule: Sendable, Equatable, Codable {
    case constant
    case linearWarmup(warmupSteps: Int)
    case cosine(totalSteps: Int, warmupSteps: Int = 0, minimumFactor: Double = 0)
    case stepDecay(everySteps: Int, factor: Double, warmupSteps: Int = 0)
    /// base · rate^(max(0, step − startStep) / transitionSteps) after warm-up; `startStep` counts from step 0.
    case exponentialDecay(startStep: Int, rate: Double, transitionSteps: Int, warmupSteps: Int = 0)

    /// The learning rate for 0-based `step`, given the base rate.
    package func rate(at step: Int, base: Float) -> Float {
        let warmup: Int
        switch self {
        case .constant: return base
        case let .linearWarmup(steps): warmup = steps
        case let .cosine(_, steps, _): warmup = steps
        case let .stepDecay(_, _, steps): warmup = steps
        case let .exponentialDecay(_, _, _, steps): warmup = steps
        }
        if step < warmup { return base * Float(step + 1) / Float(warmup) }
        let afterWarmup = step - warmup
        switch self {
        case .constant, .linearWarmup:
            return base
        case let .cosine(totalSteps, warmupSteps, minimumFactor):
            let span = max(1, totalSteps - warmupSteps)
            let progress = min(1, Double(afterWarmup) / Double(span))
            let factor = minimumFactor + (1 - minimumFactor) * 0.5 * (1 + cos(Double.pi * progress))
            return base * Float(factor)
        case let .stepDecay(everySteps, factor, _):
            return base * Float(pow(factor, Double(afterWarmup / max(1, everySteps))))
        case let .exponentialDecay(startStep, rate, transitionSteps, _):
            return base * Float(pow(rate, Double(max(0, step - startStep)) / Double(max(1, transitionSteps))))
        }
    }
}
