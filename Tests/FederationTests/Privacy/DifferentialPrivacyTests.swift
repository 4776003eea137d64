import Federation
import Foundation
import Kernels
import Learning
import Privacy
import SecureAggregation
import Testing

/// The privacy step does what it says: every update leaving a client is within its bound, and the noise
/// it adds has the variance its mechanism claims — on the server's sum, on each client (local and
/// integer mechanisms), and through secure aggregation. A step that added no noise, too little, or
/// clipped to the wrong bound fails here.
///
/// The statistical checks compare a sample variance over d = 40,000 independent coordinates with the
/// predicted one. Its relative standard error is √((κ − 1)/d) for kurtosis κ (3 for a Gaussian: 0.71%;
/// 6 for a Laplace: 1.1%); the tolerance is 6 standard errors, so a correct step fails with probability
/// below 10⁻⁸ while a variance off by 5% or more always fails. The draws are keyed, so each test is
/// deterministic anyway.
@Suite struct DifferentialPrivacyTests {
    static let dimension = 40_000
    /// Three tensors of uneven size, so per-layer clipping has something to split.
    static let layout: ParameterLayout = {
        var layout = ParameterLayout()
        layout.add("big", shape: [200, 150])
        layout.add("middle", shape: [9_000])
        layout.add("small", shape: [1_000])
        return layout
    }()

    static func context(round: Int = 3, cohort: Int = 5) -> RoundContext {
        RoundContext(round: round, seed: 17, cohortSize: cohort, populationSize: 1_000, expectedCohortSize: Double(cohort))
    }

    static func privacy(_ mechanism: PrivacyConfiguration.Mechanism, clipping: PrivacyConfiguration.ClippingMode = .flat,
                        clipBound: Double = 2, noiseMultiplier: Double = 0.7) -> DifferentialPrivacy {
        var c = PrivacyConfiguration()
        c.mechanism = mechanism
        c.clipping = clipping
        c.clipBound = clipBound
        c.noiseMultiplier = noiseMultiplier
        return DifferentialPrivacy(configuration: c, layout: layout)
    }

    /// A client update of independent N(0, σ²) values (σ = 0.05: norm ≈ 10, far above the bound).
    static func update(user: Int, standardDeviation: Float = 0.05) -> ClientUpdate {
        var stream = RandomStream(seed: 99, keys: [UInt64(user)])
        var delta = ParameterSet(layout: layout)
        delta.withUnsafeMutableBufferPointer { stream.fillNormal($0, std: standardDeviation) }
        return ClientUpdate(cohortPosition: user, userIndex: user, delta: delta, weight: 1, statistics: ClientStatistics())
    }

    /// Sample mean and variance of `values` in double precision.
    static func moments(_ values: [Double]) -> (mean: Double, variance: Double) {
        let mean = values.reduce(0, +) / Double(values.count)
        return (mean, values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1))
    }

    static func expectVariance(_ noise: [Double], _ predicted: Double, kurtosis: Double, _ what: String) {
        let (mean, variance) = moments(noise)
        let relativeError = ((kurtosis - 1) / Double(noise.count)).squareRoot()
        #expect(abs(variance / predicted - 1) < 6 * relativeError,
                "\(what): variance \(variance), predicted \(predicted) (±\(6 * relativeError * 100)%)")
        #expect(abs(mean) < 6 * (predicted / Double(noise.count)).squareRoot(), "\(what): mean \(mean)")
    }

    static func l2(_ values: ArraySlice<Float>) -> Double { values.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot() }

    // MARK: - Clipping

    /// Flat L2: the update leaves with norm C exactly when it was larger, and unchanged when smaller.
    /// Per layer: each of the H tensors within C/√H (so the whole within C). L1 (Laplace): ‖·‖₁ ≤ C.
    @Test(arguments: ["flat", "perLayer", "l1"])
    func everyUpdateLeavingAClientIsWithinItsBound(rule: String) {
        let bound = 2.0
        let step = switch rule {
        case "flat": Self.privacy(.gaussian)
        case "perLayer": Self.privacy(.gaussian, clipping: .perLayer)
        default: Self.privacy(.laplace)
        }
        for user in 0..<4 {
            var update = Self.update(user: user)
            step.processClient(&update, context: Self.context())
            let values = update.delta.flat.scalars
            switch rule {
            case "flat":
                #expect(abs(Self.l2(values[...]) - bound) < 1e-5 * bound)
            case "perLayer":
                let share = bound / Double(Self.layout.entries.count).squareRoot()
                for entry in Self.layout.entries {
                    #expect(Self.l2(values[entry.range]) <= share * (1 + 1e-5), "\(entry.name)")
                    #expect(Self.l2(values[entry.range]) >= share * (1 - 1e-5), "\(entry.name) was clipped harder than needed")
                }
            default:
                let l1 = values.reduce(0) { $0 + abs(Double($1)) }
                #expect(abs(l1 - bound) < 1e-4 * bound)
            }
        }
        // An update already within the bound is left exactly as it was.
        var small = Self.update(user: 9, standardDeviation: 1e-6)
        let before = small.delta.flat.scalars
        step.processClient(&small, context: Self.context())
        #expect(small.delta.flat.scalars == before)
    }

    // MARK: - Central noise

    /// Gaussian: the server adds N(0, (zC)²) to every coordinate of the sum; Laplace: scale zC, variance 2(zC)².
    @Test(arguments: [PrivacyConfiguration.Mechanism.gaussian, .laplace])
    func centralNoiseHasTheMechanismsVariance(mechanism: PrivacyConfiguration.Mechanism) throws {
        let (z, clip) = (0.7, 2.0)
        let step = Self.privacy(mechanism, clipBound: clip, noiseMultiplier: z)
        var aggregate = Aggregate(layout: Self.layout)
        aggregate.sum = Self.update(user: 1).delta
        aggregate.count(weight: 1, withinClipBound: nil)
        let signal = aggregate.sum.flat.scalars
        var admitted: DPEvent?
        let spent = try step.processServer(&aggregate, context: Self.context(), sampling: .fixedSize(5)) { event, _ in admitted = event }
        #expect(admitted == spent.event)
        let noise = zip(aggregate.sum.flat.scalars, signal).map { Double($0) - Double($1) }
        let scale = z * clip
        Self.expectVariance(noise, mechanism == .gaussian ? scale * scale : 2 * scale * scale,
                            kurtosis: mechanism == .gaussian ? 3 : 6, "\(mechanism)")
        #expect(aggregate.normaliser == 5)  // the public expected cohort, not the true weight
    }

    /// The noise is added only once the budget admits the round: a refusal leaves the sum untouched.
    @Test func refusedRoundAddsNoNoise() {
        let step = Self.privacy(.gaussian)
        var aggregate = Aggregate(layout: Self.layout)
        aggregate.sum = Self.update(user: 1).delta
        let signal = aggregate.sum.flat.scalars
        struct Refused: Error {}
        #expect(throws: Refused.self) {
            try step.processServer(&aggregate, context: Self.context(), sampling: .fixedSize(5)) { _, _ in throw Refused() }
        }
        #expect(aggregate.sum.flat.scalars == signal)
    }

    // MARK: - Local and integer noise

    /// Local Gaussian / Laplace: each client's clipped update gets N(0, (zC)²) (or Laplace, variance 2(zC)²)
    /// per coordinate; an update within the bound is not clipped, so what changed is the noise alone.
    @Test(arguments: [PrivacyConfiguration.Mechanism.localGaussian, .localLaplace])
    func localNoiseHasTheMechanismsVariance(mechanism: PrivacyConfiguration.Mechanism) {
        let (z, clip) = (0.3, 2.0)
        let step = Self.privacy(mechanism, clipBound: clip, noiseMultiplier: z)
        var update = Self.update(user: 4, standardDeviation: 1e-6)
        let before = update.delta.flat.scalars
        step.processClient(&update, context: Self.context())
        let noise = zip(update.delta.flat.scalars, before).map { Double($0) - Double($1) }
        let scale = z * clip
        Self.expectVariance(noise, mechanism == .localGaussian ? scale * scale : 2 * scale * scale,
                            kurtosis: mechanism == .localGaussian ? 3 : 6, "\(mechanism)")
    }

    /// Discrete Gaussian / Skellam: the client scales its clipped update to the integer grid, rounds it
    /// without bias and adds its share of integer noise. Against the exact scaled update, the difference
    /// has the share's variance plus the rounding's, Σ p(1 − p)/d for the fractional parts p.
    @Test(arguments: [PrivacyConfiguration.Mechanism.discreteGaussian, .skellam])
    func integerNoiseHasTheSharesVariance(mechanism: PrivacyConfiguration.Mechanism) {
        let (z, clip, cohort) = (0.8, 2.0, 5)
        let step = Self.privacy(mechanism, clipBound: clip, noiseMultiplier: z)
        var update = Self.update(user: 6, standardDeviation: 1e-3)  // norm ≈ 0.2: within the bound
        let scale = PrivacyConfiguration.integerScale(bound: clip, dimension: Self.dimension)
        let exact = update.delta.flat.scalars.map { Double($0) * scale }
        step.processClient(&update, context: Self.context(cohort: cohort))
        let noised = update.delta.flat.scalars
        #expect(noised.allSatisfy { $0 == $0.rounded() })
        let rounding = exact.reduce(0) { sum, value in
            let p = value - floor(value)
            return sum + p * (1 - p)
        } / Double(exact.count)
        let share = PrivacyConfiguration.integerShare(noiseMultiplier: z, dimension: Self.dimension, expectedCohort: Double(cohort))
        let noise = zip(noised, exact).map { Double($0) - $1 }
        Self.expectVariance(noise, share * share + rounding, kurtosis: 3, "\(mechanism)")
    }

    // MARK: - Through secure aggregation

    /// A SecAgg round (every client masks with every other) over the test layout.
    static func secureRound(privacy: DifferentialPrivacy, context: RoundContext) throws -> SecureAggregationRound {
        var secure = SecureAggregationConfiguration()
        secure.protocolKind = .secagg
        return try SecureAggregationRound(configuration: secure, context: context, layout: layout, privacy: privacy,
                                          pool: ThreadPool(threadCount: 1))
    }

    /// Distributed DP under SecAgg: the decoded secure sum minus the plain sum of the clients' exact
    /// scaled, clipped updates is the sum of their noise shares (plus rounding): variance n·share² + the
    /// rounding's. The ring carries the integers exactly, so nothing else may enter.
    @Test func secureSumMinusPlainSumHasTheSummedNoisesVariance() throws {
        let (z, clip, cohort) = (0.8, 2.0, 5)
        let step = Self.privacy(.skellam, clipBound: clip, noiseMultiplier: z)
        let context = Self.context(cohort: cohort)
        let round = try Self.secureRound(privacy: step, context: context)
        let scale = PrivacyConfiguration.integerScale(bound: clip, dimension: Self.dimension)
        var plain = [Double](repeating: 0, count: Self.dimension), rounding = 0.0
        for user in 0..<cohort {
            var update = Self.update(user: user)
            UpdateClipping.flatL2(bound: clip).clipped(&update.delta)
            let exact = update.delta.flat.scalars.map { Double($0) * scale }
            for i in exact.indices {
                plain[i] += exact[i]
                let p = exact[i] - floor(exact[i])
                rounding += p * (1 - p)
            }
            step.processClient(&update, context: context)
            round.submit(update)
        }
        let aggregate = try #require(round.finish())
        #expect(aggregate.contributors == cohort)
        let noise = zip(aggregate.sum.flat.scalars, plain).map { Double($0) - $1 }
        let share = PrivacyConfiguration.integerShare(noiseMultiplier: z, dimension: Self.dimension, expectedCohort: Double(cohort))
        Self.expectVariance(noise, Double(cohort) * share * share + rounding / Double(Self.dimension), kurtosis: 3, "secagg + skellam")
    }

    /// Central Gaussian over SecAgg: the decoded sum is the plain sum of clipped updates up to the ring's
    /// unit, and after the server's noise the difference has the variance (zC)².
    @Test func centralNoiseOverTheSecureSumHasItsVariance() throws {
        let (z, clip, cohort) = (0.7, 2.0, 5)
        let step = Self.privacy(.gaussian, clipBound: clip, noiseMultiplier: z)
        let context = Self.context(cohort: cohort)
        let round = try Self.secureRound(privacy: step, context: context)
        var plain = [Double](repeating: 0, count: Self.dimension)
        for user in 0..<cohort {
            var update = Self.update(user: user)
            step.processClient(&update, context: context)
            for (i, value) in update.delta.flat.scalars.enumerated() { plain[i] += Double(value) }
            round.submit(update)
        }
        var aggregate = try #require(round.finish())
        let quantisation = zip(aggregate.sum.flat.scalars, plain).map { abs(Double($0) - $1) }.max()!
        #expect(quantisation < 1e-3 * clip, "the secure sum is the plain sum up to the ring's unit (\(quantisation))")
        _ = try step.processServer(&aggregate, context: context, sampling: .fixedSize(cohort)) { _, _ in }
        let noise = zip(aggregate.sum.flat.scalars, plain).map { Double($0) - $1 }
        Self.expectVariance(noise, (z * clip) * (z * clip), kurtosis: 3, "secagg + central gaussian")
    }
}

extension UpdateClipping {
    /// Clips a parameter set in place (the tests' shorthand).
    fileprivate func clipped(_ set: inout ParameterSet) {
        let ranges = set.layout.entries.map(\.range)
        set.withUnsafeMutableBufferPointer { _ = clip($0, tensorRanges: ranges) }
    }
}
