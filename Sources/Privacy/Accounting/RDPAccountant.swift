import Foundation

/// Rényi-DP accountant: composes events by adding their RDP curves order by order and converts to
/// (ε, δ) at the best order with the conversion of Canonne, Kamath, Steinke 2020, Prop. 12 (also
/// Balle et al. 2020), which is tighter than Mironov 2017's ε = rdp + log(1/δ)/(α−1).
///
/// RDP is an upper bound: it never reports less than the PLD accountant, and it is cheap and exact in
/// its own terms at any number of steps. It accounts for add/remove neighbours only and refuses
/// sampling without replacement (use `PLDAccountant`) and Poisson-sampled Laplace.
package struct RDPAccountant: PrivacyAccountant, Sendable {
    /// dp_accounting's default grid, extended: dense near 1, integers to 64, then powers of two.
    package static let defaultOrders: [Double] = {
        let nearOne: [Double] = (1...9).map { 1 + Double($0) / 100 }
        let tenths: [Double] = (1...99).map { 1 + Double($0) / 10 }
        let integers: [Double] = (11...64).map { Double($0) }
        let large: [Double] = [80, 96, 128, 192, 256, 384, 512, 768, 1024]
        return nearOne + tenths + integers + large
    }()

    package let orders: [Double]
    /// The composed RDP at each order.
    package private(set) var rdp: [Double]
    package private(set) var ledger: [DPEvent] = []

    package init(orders: [Double] = RDPAccountant.defaultOrders) {
        precondition(orders.allSatisfy { $0 > 1 }, "RDP orders must exceed 1")
        self.orders = orders
        rdp = Array(repeating: 0, count: orders.count)
    }

    package mutating func compose(_ event: DPEvent, count: Int = 1) throws(AccountingError) {
        guard count >= 0 else { throw .invalidParameter("a composition count must be non-negative, got \(count)") }
        let curve = try Self.curve(of: event, orders: orders)
        for index in rdp.indices { rdp[index] += curve[index] * Double(count) }
        ledger.appendFolded(event, count: count)
    }

    package func epsilon(delta: Double) throws(AccountingError) -> Double {
        try Self.checkDelta(delta)
        return Self.epsilon(rdp: rdp, orders: orders, delta: delta).epsilon
    }

    package func delta(epsilon: Double) throws(AccountingError) -> Double {
        guard epsilon >= 0 else { throw .invalidParameter("ε must be non-negative, got \(epsilon)") }
        // Canonne, Kamath, Steinke 2020, Prop. 12 solved for δ.
        var best = 1.0
        for (alpha, value) in zip(orders, rdp) where value.isFinite {
            let logDelta = (alpha - 1) * (value - epsilon) + (alpha - 1) * log1p(-1 / alpha) - log(alpha)
            best = min(best, exp(min(logDelta, 0)))
        }
        return best
    }

    /// The best ε over `orders` for the curve `rdp`, and the order that gives it.
    package static func epsilon(rdp: [Double], orders: [Double], delta: Double) -> (epsilon: Double, order: Double) {
        var best = (epsilon: Double.infinity, order: Double.nan)
        for (alpha, value) in zip(orders, rdp) where value.isFinite {
            let epsilon: Double
            if value <= -log1p(-delta * delta) {
                // The divergence is so small that δ ≥ √(1 − e^(−KL)) (Pinsker-type bound): ε = 0.
                epsilon = 0
            } else if alpha > 1.01 {
                epsilon = value - (log(delta) + log(alpha)) / (alpha - 1) + log1p(-1 / alpha)
            } else {
                continue  // the conversion is numerically unstable as α → 1 (dp_accounting does the same)
            }
            if epsilon < best.epsilon { best = (epsilon, alpha) }
        }
        return (max(best.epsilon, 0), best.order)
    }

    static func checkDelta(_ delta: Double) throws(AccountingError) {
        guard delta > 0, delta < 1 else { throw .invalidParameter("δ must be in (0, 1), got \(delta)") }
    }

    /// The RDP curve of one run of `event` at each order; throws for events RDP does not cover.
    package static func curve(of event: DPEvent, orders: [Double]) throws(AccountingError) -> [Double] {
        switch event {
        case let .gaussian(z):
            return orders.map { RDPCurves.gaussian(noiseMultiplier: z, order: $0) }
        case let .laplace(b):
            return orders.map { RDPCurves.laplace(scale: b, order: $0) }
        case .distributedDiscreteGaussian, .skellam:
            return orders.map { alpha in
                alpha == alpha.rounded() ? integerCurve(of: event)(Int(alpha)) : .infinity
            }
        case let .poissonSampled(q, inner):
            guard q >= 0, q <= 1 else { throw .invalidParameter("a sampling probability must be in [0, 1], got \(q)") }
            switch inner {
            case let .gaussian(z):
                return orders.map { RDPCurves.poissonGaussian(probability: q, noiseMultiplier: z, order: $0) }
            case .distributedDiscreteGaussian, .skellam:
                let single = integerCurve(of: inner)
                return orders.map { alpha in
                    alpha == alpha.rounded() && alpha >= 2
                        ? RDPCurves.poissonSubsampled(probability: q, order: Int(alpha), epsilon: single) : .infinity
                }
            default:
                throw .unsupported(event: event.summary, accountant: "rdp",
                                   hint: "Poisson sampling is covered for Gaussian, discrete Gaussian and Skellam noise; use the pld accountant")
            }
        case .sampledWithoutReplacement:
            throw .unsupported(event: event.summary, accountant: "rdp",
                               hint: "use the pld accountant, or Poisson sampling")
        case let .selfComposed(inner, count):
            return try curve(of: inner, orders: orders).map { $0 * Double(count) }
        case let .composed(events):
            var total = Array(repeating: 0.0, count: orders.count)
            for inner in events {
                let curve = try curve(of: inner, orders: orders)
                for index in total.indices { total[index] += curve[index] }
            }
            return total
        }
    }

    /// The integer-order curve of the integer mechanisms (their bounds are stated for integer α).
    private static func integerCurve(of event: DPEvent) -> (Int) -> Double {
        switch event {
        case let .distributedDiscreteGaussian(sigma, clients, dimension, l1, l2):
            return { RDPCurves.distributedDiscreteGaussian(localStandardDeviation: sigma, clients: clients, dimension: dimension,
                                                           l1Sensitivity: l1, l2Sensitivity: l2, order: $0) }
        case let .skellam(mu, l1, l2):
            return { RDPCurves.skellam(variance: mu, l1Sensitivity: l1, l2Sensitivity: l2, order: $0) }
        default:
            preconditionFailure("integerCurve: not an integer mechanism")
        }
    }
}
