import Foundation

/// Which accountant answers a question, as a scenario or the command line names it.
package enum AccountantKind: String, Sendable, Hashable, Codable, CaseIterable {
    case rdp, pld

    /// A fresh accountant of this kind.
    package func make(relation: NeighbouringRelation = .addOrRemoveOne) -> any PrivacyAccountant {
        switch self {
        case .rdp: return RDPAccountant()
        case .pld: return PLDAccountant(relation: relation)
        }
    }
}

/// Searches an accountant for the least noise, or the most steps, that a privacy target allows:
/// bisection over fresh accountants, as dp_accounting's `mechanism_calibration.py`.
///
/// ε is monotone in both the noise multiplier (decreasing) and the step count (increasing), so a
/// bracketing search converges; the answer always meets the target (the search returns the side
/// of the bracket that does).
package struct NoiseCalibration: Sendable {
    package var accountant: AccountantKind
    package var relation: NeighbouringRelation
    /// Relative width at which the noise search stops.
    package var tolerance = 1e-3

    package init(accountant: AccountantKind = .pld, relation: NeighbouringRelation = .addOrRemoveOne) {
        self.accountant = accountant
        self.relation = relation
    }

    /// ε after running `event(z)` `steps` times.
    package func epsilon(steps: Int, delta: Double, event: (Double) -> DPEvent, noiseMultiplier: Double) throws(AccountingError) -> Double {
        var fresh = accountant.make(relation: relation)
        try fresh.compose(event(noiseMultiplier), count: steps)
        return try fresh.epsilon(delta: delta)
    }

    /// The smallest noise multiplier z (to `tolerance`) for which `steps` runs of `event(z)` are
    /// (ε, δ)-DP. Throws if even z = 10⁴ cannot meet the target.
    package func smallestNoiseMultiplier(epsilon target: Double, delta: Double, steps: Int,
                                         event: (Double) -> DPEvent) throws(AccountingError) -> Double {
        guard target > 0, target.isFinite else { throw .invalidParameter("the target ε must be positive and finite, got \(target)") }
        try RDPAccountant.checkDelta(delta)
        guard steps > 0 else { throw .invalidParameter("the number of steps must be positive, got \(steps)") }
        func excess(_ z: Double) throws(AccountingError) -> Double {
            log(try epsilon(steps: steps, delta: delta, event: event, noiseMultiplier: z) / target)
        }
        // Bracket [low, high] with excess(low) > 0 ≥ excess(high). For PLD, the RDP answer is an upper
        // bound (RDP's ε is never below PLD's) and costs microseconds, so start there.
        var high = 1.0
        if accountant == .pld {
            let rdp = NoiseCalibration(accountant: .rdp, relation: relation)
            if let bound = try? rdp.smallestNoiseMultiplier(epsilon: target, delta: delta, steps: steps, event: event) { high = bound }
        }
        var highExcess = try excess(high)
        while highExcess > 0 {
            high *= 2
            if high > 1e4 { throw .invalidParameter("no noise multiplier up to 10⁴ reaches ε = \(target) at δ = \(delta) over \(steps) steps") }
            highExcess = try excess(high)
        }
        var low = high * 0.8
        var lowExcess = try excess(low)
        while lowExcess <= 0 {
            (high, highExcess) = (low, lowExcess)
            low *= 0.5
            if low < 1e-4 { return high }
            lowExcess = try excess(low)
        }
        // Regula falsi with the Illinois modification on log(ε/target), which is nearly linear in z near
        // the answer: a handful of accountant runs instead of a dozen bisections.
        var side = 0
        while (high - low) / high > tolerance {
            var middle = (low * highExcess - high * lowExcess) / (highExcess - lowExcess)
            if !(middle > low && middle < high) { middle = (low + high) / 2 }
            let middleExcess = try excess(middle)
            if middleExcess > 0 {
                (low, lowExcess) = (middle, middleExcess)
                if side == -1 { highExcess /= 2 }
                side = -1
            } else {
                (high, highExcess) = (middle, middleExcess)
                if side == 1 { lowExcess /= 2 }
                side = 1
            }
        }
        return high
    }

    /// The largest number of steps of `event` that stays within (ε, δ); 0 if not even one does.
    package func largestSteps(epsilon target: Double, delta: Double, event: DPEvent, limit: Int = 100_000_000) throws(AccountingError) -> Int {
        guard target > 0 else { throw .invalidParameter("the target ε must be positive, got \(target)") }
        try RDPAccountant.checkDelta(delta)
        func meets(_ steps: Int) throws(AccountingError) -> Bool {
            try epsilon(steps: steps, delta: delta, event: { _ in event }, noiseMultiplier: 0) <= target
        }
        guard try meets(1) else { return 0 }
        var low = 1, high = 2
        while try meets(high) {
            low = high
            high *= 2
            if high > limit { return limit }
        }
        while high - low > 1 {
            let middle = (low + high) / 2
            if try meets(middle) { low = middle } else { high = middle }
        }
        return low
    }
}
