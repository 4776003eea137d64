import Foundation

/// A dominating pair (P, Q) of output distributions for one mechanism in one direction of the
/// neighbouring relation, described by its hockey-stick curve δ(ε) = sup_S P(S) − e^ε Q(S).
///
/// That curve is all the connect-the-dots discretisation needs (Doroshenko, Ghazi, Kamath, Kumar,
/// Manurangsi 2022, "Connect the Dots"), and for the additive-noise mechanisms here it has a closed
/// form through the noise's CDF, so no quadrature enters the accountant.
package protocol PrivacyLossPair: Sendable {
    /// H_{e^ε}(P ‖ Q).
    func delta(epsilon: Double) -> Double
    /// Privacy loss values log(p/q)(x) between which all but `tailMass` of P lies.
    func lossBounds(tailMass: Double) -> (lower: Double, upper: Double)
}

/// Which side of the relation a pair describes: with the user (P is the mixture that may include
/// them) or without (Q is). An add/remove guarantee needs both.
package enum LossDirection: Sendable, CaseIterable {
    case removal, addition
}

/// Poisson-subsampled Gaussian noise, sensitivity 1: P = q·N(1, σ²) + (1−q)·N(0, σ²) against
/// Q = N(0, σ²) (removal) or the reverse (addition). q = 1 is the plain Gaussian mechanism.
/// Koskela, Jälkö, Honkela 2020 §4; the hockey stick is Balle & Wang 2018 Theorem 8 for q = 1.
package struct SubsampledGaussianLoss: PrivacyLossPair {
    package let sigma: Double
    package let probability: Double
    package let direction: LossDirection

    package init(noiseMultiplier: Double, probability: Double, direction: LossDirection) {
        sigma = noiseMultiplier
        self.probability = probability
        self.direction = direction
    }

    /// log(p/q) at x for the removal pair: log(q·e^((2x−1)/(2σ²)) + 1 − q), increasing in x.
    private func removalLoss(_ x: Double) -> Double {
        let shifted = log(probability) + (2 * x - 1) / (2 * sigma * sigma)
        return probability == 1 ? shifted : LogSpace.add(shifted, log1p(-probability))
    }

    /// The x where the removal loss equals `loss`, or nil below its infimum log(1 − q).
    private func removalThreshold(_ loss: Double) -> Double? {
        let q = probability
        // e^loss − (1 − q) > 0 ⇔ loss > log(1 − q).
        if q < 1, loss <= log1p(-q) { return nil }
        let logNumerator = q == 1 ? loss : loss + log1p(-(1 - q) * exp(-loss))
        return sigma * sigma * (logNumerator - log(q)) + 0.5
    }

    private func mixtureSurvival(_ x: Double) -> Double {
        probability * LogSpace.normalSurvival((x - 1) / sigma) + (1 - probability) * LogSpace.normalSurvival(x / sigma)
    }

    private func mixtureCDF(_ x: Double) -> Double {
        probability * LogSpace.normalCDF((x - 1) / sigma) + (1 - probability) * LogSpace.normalCDF(x / sigma)
    }

    package func delta(epsilon: Double) -> Double {
        switch direction {
        case .removal:
            // S = {x > x*}; below the loss's infimum S is everything.
            guard let x = removalThreshold(epsilon) else { return max(0, -expm1(epsilon)) }
            return max(0, mixtureSurvival(x) - exp(epsilon) * LogSpace.normalSurvival(x / sigma))
        case .addition:
            // P = N(0, σ²), Q = mixture, loss −removalLoss: S = {x < x'} with removalLoss(x') = −ε.
            guard let x = removalThreshold(-epsilon) else { return 0 }
            return max(0, LogSpace.normalCDF(x / sigma) - exp(epsilon) * mixtureCDF(x))
        }
    }

    package func lossBounds(tailMass: Double) -> (lower: Double, upper: Double) {
        let reach = sigma * LogSpace.normalUpperQuantile(tailMass / 2)
        switch direction {
        case .removal: return (removalLoss(-reach), removalLoss(1 + reach))
        case .addition: return (-removalLoss(reach), -removalLoss(-reach))
        }
    }
}

/// Poisson-subsampled Laplace noise of scale b, sensitivity 1: P = q·Lap(1, b) + (1−q)·Lap(0, b)
/// against Q = Lap(0, b) (removal) or the reverse. Its loss is bounded, |loss| ≤ log(1 + q(e^(1/b) − 1)).
package struct SubsampledLaplaceLoss: PrivacyLossPair {
    package let scale: Double
    package let probability: Double
    package let direction: LossDirection

    package init(scale: Double, probability: Double, direction: LossDirection) {
        self.scale = scale
        self.probability = probability
        self.direction = direction
    }

    private func removalLoss(_ x: Double) -> Double {
        let clamped = min(max(x, 0), 1)
        let shifted = log(probability) + (2 * clamped - 1) / scale
        return probability == 1 ? shifted : LogSpace.add(shifted, log1p(-probability))
    }

    private static func survival(_ x: Double, location: Double, scale: Double) -> Double {
        x >= location ? 0.5 * exp(-(x - location) / scale) : 1 - 0.5 * exp((x - location) / scale)
    }

    private func mixtureSurvival(_ x: Double) -> Double {
        probability * Self.survival(x, location: 1, scale: scale) + (1 - probability) * Self.survival(x, location: 0, scale: scale)
    }

    /// x in [0, 1] where the removal loss equals `loss`, for loss strictly inside its range.
    private func threshold(_ loss: Double) -> Double {
        let q = probability
        // q·e^((2x−1)/b) + 1 − q = e^loss.
        let logRatio = loss + log1p(-(1 - q) * exp(-loss)) - log(q)
        return (scale * logRatio + 1) / 2
    }

    package func delta(epsilon: Double) -> Double {
        let lowest = removalLoss(0), highest = removalLoss(1)
        switch direction {
        case .removal:
            if epsilon >= highest { return 0 }
            if epsilon < lowest { return max(0, -expm1(epsilon)) }
            let x = threshold(epsilon)
            return max(0, mixtureSurvival(x) - exp(epsilon) * Self.survival(x, location: 0, scale: scale))
        case .addition:
            if -epsilon <= lowest { return 0 }
            if -epsilon > highest { return max(0, -expm1(epsilon)) }
            let x = threshold(-epsilon)
            let p = 1 - Self.survival(x, location: 0, scale: scale)
            return max(0, p - exp(epsilon) * (1 - mixtureSurvival(x)))
        }
    }

    package func lossBounds(tailMass: Double) -> (lower: Double, upper: Double) {
        let lowest = removalLoss(0), highest = removalLoss(1)
        return direction == .removal ? (lowest, highest) : (-highest, -lowest)
    }
}

/// Gaussian noise on a fixed-size sample drawn without replacement, under replacement of one user:
/// the replaced user is in the sample with probability q = m/n, and when they are their contribution
/// moves from +1 to −1 (each bounded by the clip norm). P = q·N(1, σ²) + (1−q)·N(0, σ²) against
/// Q = q·N(−1, σ²) + (1−q)·N(0, σ²) — symmetric, so one direction covers both (Koskela, Jälkö,
/// Honkela 2020 §5, "substitute relation"; Zhu, Dong, Wang 2022, Table 1).
package struct SampledWithoutReplacementGaussianLoss: PrivacyLossPair {
    package let sigma: Double
    package let probability: Double

    package init(noiseMultiplier: Double, probability: Double) {
        sigma = noiseMultiplier
        self.probability = probability
    }

    private func loss(_ x: Double) -> Double {
        let q = probability, s2 = 2 * sigma * sigma
        let p = q == 1 ? log(q) + (2 * x - 1) / s2 : LogSpace.add(log(q) + (2 * x - 1) / s2, log1p(-q))
        let r = q == 1 ? log(q) + (-2 * x - 1) / s2 : LogSpace.add(log(q) + (-2 * x - 1) / s2, log1p(-q))
        return p - r
    }

    /// Solves a·y² + (1−q)(1−e^ε)·y − a·e^ε = 0 for y = e^(x/σ²), a = q·e^(−1/(2σ²)), choosing the
    /// form of the positive root that does not cancel.
    private func threshold(_ epsilon: Double) -> Double {
        let q = probability, a = q * exp(-1 / (2 * sigma * sigma))
        let b = (1 - q) * -expm1(epsilon), c = exp(epsilon)
        let root = (b * b + 4 * a * a * c).squareRoot()
        let y = b <= 0 ? (-b + root) / (2 * a) : 2 * a * c / (b + root)
        return sigma * sigma * log(y)
    }

    private func survival(_ x: Double, shift: Double) -> Double {
        probability * LogSpace.normalSurvival((x - shift) / sigma) + (1 - probability) * LogSpace.normalSurvival(x / sigma)
    }

    package func delta(epsilon: Double) -> Double {
        let x = threshold(epsilon)
        return max(0, survival(x, shift: 1) - exp(epsilon) * survival(x, shift: -1))
    }

    package func lossBounds(tailMass: Double) -> (lower: Double, upper: Double) {
        let reach = sigma * LogSpace.normalUpperQuantile(tailMass / 2)
        return (loss(-1 - reach), loss(1 + reach))
    }
}
