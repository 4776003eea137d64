import Federation
import Foundation
import Learning
import Privacy
import SecureAggregation

extension Scenario {
    /// Reads the `secureAggregation` section (docs/scenarios.md): protocol, neighbours, threshold, ring
    /// bits, dropout, and the clip bound when no privacy section bounds the updates. Checks before
    /// anything runs that the ring can hold the planned cohort's sum.
    static func readSecureAggregation(_ r: ScenarioReader, training: FederatedTrainingConfiguration, shape: ModelShape,
                                      privacy: PrivacyConfiguration?, population: Int) throws(ScenarioError)
        -> SecureAggregationConfiguration {
        var c = SecureAggregationConfiguration()
        r.declare(["neighbours", "dropoutRate", "dropoutRates", "clipBound"])
        let kinds = SecureAggregationConfiguration.ProtocolKind.allCases.map(\.rawValue)
        c.protocolKind = .init(rawValue: try r.choice("protocol", default: "secaggplus", among: kinds))!
        if r.contains("neighbours") {
            guard c.protocolKind == .secaggplus else {
                throw r.error("neighbours", "applies to secaggplus only (secagg masks with every other client)")
            }
            c.neighbours = try r.integer("neighbours", default: 2, in: 2...100_000)
        }
        c.threatModel = SecureAggregationThreatModel(rawValue: try r.choice(
            "threatModel", default: "maliciousServer", among: SecureAggregationThreatModel.allCases.map(\.rawValue)))!
        c.thresholdFraction = try r.number("thresholdFraction", default: 0.5, in: 0...1)
        if c.thresholdFraction >= 1 {
            throw r.error("thresholdFraction", "must be below 1: the threshold is ⌊fraction · neighbours⌋ + 1 shares")
        }
        c.bits = try r.integer("bits", default: 32, in: 8...32)
        if r.contains("dropoutRate") && r.contains("dropoutRates") {
            throw r.error("dropoutRates", "give either dropoutRate (over the whole round) or dropoutRates (per step), not both")
        }
        if r.contains("dropoutRate") {
            let total = try r.number("dropoutRate", default: 0, in: 0...1)
            if total >= 1 { throw r.error("dropoutRate", "must be below 1, got \(total)") }
            // Spread evenly: each of the four steps loses the same share of those still in.
            c.dropoutRates = Array(repeating: 1 - pow(1 - total, 0.25), count: 4)
        }
        let perStep = try r.section("dropoutRates")
        if !perStep.isEmpty {
            c.dropoutRates = try SecureAggregationStep.allCases.map { (step) throws(ScenarioError) in
                let rate = try perStep.number(step.description, default: 0, in: 0...1)
                if rate >= 1 { throw perStep.error(step.description, "must be below 1, got \(rate)") }
                return rate
            }
            try perStep.finish()
        }
        if let privacy {
            if r.contains("clipBound") {
                throw r.error("clipBound", "the privacy section's clipBound already bounds updates; remove this one")
            }
            if privacy.mechanism.isLocal {
                throw r.error("protocol", "\(privacy.mechanism.rawValue) noises each update before it is sent; secure "
                    + "aggregation is for the central (gaussian, laplace) or distributed (discreteGaussian, skellam) mechanisms")
            }
        } else {
            guard r.contains("clipBound") else {
                throw r.error("clipBound", "required without a privacy section: the L2 bound updates are clipped to, "
                    + "so the ring can hold their sum (e.g. 1.0)")
            }
            c.clipBound = try r.number("clipBound", default: 1, in: 0...1e6, excludingLowerBound: true)
        }
        if training.client.weighting != .user {
            throw r.error("protocol", "secure aggregation sums updates of weight 1: set clients.weighting to user")
        }
        // The largest cohort a round will plausibly have: fixed, or Poisson's mean plus six deviations.
        let expected = training.sampling.expectedSize(population: population)
        let largest: Int
        switch training.sampling {
        case let .fixedSize(size): largest = min(size, population)
        case .poisson: largest = Int((expected + 6 * expected.squareRoot()).rounded(.up))
        }
        if Int(expected.rounded(.down)) < 3 {
            throw r.error("protocol", "secure aggregation needs at least 3 clients a round; the cohort is \(expected)")
        }
        let dimension = training.updateDimension(shape: shape)
        do {
            _ = try SecureAggregationRound.ringQuantization(c, cohortSize: largest, expectedCohort: expected, dimension: dimension,
                                                            privacy: privacy, clipBound: privacy?.clipBound ?? c.clipBound!)
        } catch {
            throw r.error("bits", "\(error) (for a cohort of \(largest)); allowed 8...32")
        }
        try r.finish()
        return c
    }
}
