import Foundation
import Kernels
import SecureAggregation
import Testing

/// SecAgg+'s k and t from Bell et al. 2020's bound: against the published table of Google's
/// open-source SecAgg server (fcp/secagg/server/graph_parameter_finder_test.cc, σ = 40, η = 20),
/// against the bound's terms computed here by hand from products instead of log-factorials, and the
/// protocol still summing exactly at the chosen k with the dropouts it assumes.
@Suite struct HararyParametersTests {
    /// (n, γ, δ, threat model, k, t) from the published table: k must match, t may be at most it (the
    /// table gives the least threshold its finder returns; ours is the same least one).
    static let published: [(Int, Double, Double, SecureAggregationThreatModel, Int, Int)] = [
        (100, 0.05, 0.05, .semiHonest, 12, 6),
        (100, 0.05, 0.05, .maliciousServer, 16, 11),
        (1000, 0.05, 0.05, .semiHonest, 30, 17),
        (1000, 0.05, 0.05, .maliciousServer, 52, 37),
        (10000, 0.05, 0.05, .semiHonest, 34, 20),
        (100, 0.33, 0.05, .semiHonest, 34, 29),
        (1000, 0.33, 0.05, .maliciousServer, 132, 109),
        (100, 0.0, 0.33, .semiHonest, 26, 2),
        (100, 0.0, 0.33, .maliciousServer, 68, 35),
        (100, 0.05, 0.33, .semiHonest, 28, 6),
        (1000, 0.05, 0.33, .maliciousServer, 398, 223),
        (100, 0.33, 0.0, .semiHonest, 26, 25),
        (100, 0.45, 0.45, .semiHonest, 92, 46),
        (100, 0.3, 0.3, .maliciousServer, 92, 62),
        (10, 0.33, 0.33, .semiHonest, 8, 4),
        (100, 0.0, 0.0, .semiHonest, 2, 2),
    ]

    @Test func matchesThePublishedTable() throws {
        for (n, γ, δ, model, k, t) in Self.published {
            let found = try HararyParameters.smallest(clients: n, corruption: γ, dropout: δ, threatModel: model)
            #expect(found.degree == k, "n = \(n), γ = \(γ), δ = \(δ), \(model)")
            #expect(found.threshold == t, "n = \(n), γ = \(γ), δ = \(δ), \(model)")
            #expect(found.threshold <= found.maximumThreshold && found.threshold <= found.degree)
            if model == .maliciousServer { #expect(2 * found.threshold > found.degree) }
        }
    }

    /// The disconnection term by hand: n = 10, k = 4, 6 bad clients. 10·5/2 = 25 pairs of runs, each
    /// all bad with probability (6·5·4·3)/(10·9·8·7) = 1/14.
    @Test func disconnectionBoundByHand() {
        let bound = exp(HararyParameters.logDisconnection(clients: 10, degree: 4, bad: 6))
        #expect(abs(bound - 25.0 / 14) < 1e-12)
        #expect(HararyParameters.logDisconnection(clients: 10, degree: 8, bad: 6) == -.infinity)
    }

    /// The default at a cohort of 100 (γ = δ = 5%): every condition holds at the chosen k, computed
    /// from plain products, and one fails two below it, so k is the least that meets the bound.
    @Test(arguments: [SecureAggregationThreatModel.semiHonest, .maliciousServer])
    func chosenDegreeIsTheLeastThatMeetsTheBound(model: SecureAggregationThreatModel) throws {
        let n = 100, corrupted = 5, dropped = 5
        let found = try HararyParameters.smallest(clients: n, corruption: 0.05, dropout: 0.05, threatModel: model)
        #expect(Self.meetsBound(n: n, k: found.degree, t: found.threshold, corrupted: corrupted, dropped: dropped, model: model))
        for t in 1...(found.degree - 2) {
            #expect(!Self.meetsBound(n: n, k: found.degree - 2, t: t, corrupted: corrupted, dropped: dropped, model: model))
        }
        // Below the threshold the bound picks, a corrupt neighbourhood is too likely (or, for the
        // malicious server, the threshold is not a majority beyond the corrupted neighbours).
        #expect(!Self.meetsBound(n: n, k: found.degree, t: found.threshold - 1, corrupted: corrupted, dropped: dropped, model: model))
    }

    /// The bound's conditions from products (no log-factorials): P[X = x] for x of `draws` among
    /// `marked` of `population` as a ratio of falling factorials.
    static func mass(_ x: Int, population: Int, marked: Int, draws: Int) -> Double {
        guard x <= marked, draws - x <= population - marked else { return 0 }
        func choose(_ a: Int, _ b: Int) -> Double { (0..<b).reduce(1.0) { $0 * Double(a - $1) / Double($1 + 1) } }
        return choose(marked, x) * choose(population - marked, draws - x) / choose(population, draws)
    }

    static func meetsBound(n: Int, k: Int, t: Int, corrupted: Int, dropped: Int, model: SecureAggregationThreatModel) -> Bool {
        let perEvent = pow(2, -41.0), correctness = pow(2, -20.0) / Double(n)
        let bad = corrupted + dropped
        var allBad = 1.0
        for i in 0..<k { allBad *= Double(max(bad - i, 0)) / Double(n - i) }
        guard Double(n) * Double(n - k - 1) / 2 * allBad < perEvent else { return false }
        // The corrupted neighbours a majority threshold must outnumber, or t must exceed.
        let tail = { (a: Int) in (a + 1...k).reduce(0.0) { $0 + mass($1, population: n, marked: corrupted, draws: k) } }
        guard let c = (0..<k).first(where: { tail($0) < perEvent / Double(n) }) else { return false }
        let least = model == .maliciousServer ? (k + c) / 2 + 1 : c + 1
        guard t >= max(least, 2) else { return false }
        let fewSurvivors = (0..<t).reduce(0.0) { $0 + mass($1, population: n, marked: n - dropped, draws: k) }
        return fewSurvivors < correctness
    }

    /// The dropout fraction a rate implies, by hand: two clients at rate 0.0009 both drop with
    /// probability 8.1·10⁻⁷ < 2⁻²⁰ ≈ 9.5·10⁻⁷, so one is assumed (½); at 0.001, 10⁻⁶ is not below it.
    @Test func dropoutFractionCoversTheBinomialTail() {
        #expect(HararyParameters.dropoutFraction(clients: 2, rate: 0.0009) == 0.5)
        #expect(HararyParameters.dropoutFraction(clients: 2, rate: 0.001) == 1)
        #expect(HararyParameters.dropoutFraction(clients: 100, rate: 0) == 0)
        #expect(HararyParameters.dropoutFraction(clients: 100, rate: 0.33) == 0.56)
    }

    @Test func infeasibleFractionsAreRefused() {
        #expect(throws: HararyParameters.Infeasible.fractions(corruption: 0.33, dropout: 0.33, threatModel: .maliciousServer)) {
            try HararyParameters.smallest(clients: 1000, corruption: 0.33, dropout: 0.33, threatModel: .maliciousServer)
        }
        #expect(SecureAggregationDefaults.secAggPlus(clientCount: 1000, corruption: 0.5, dropout: 0.5, threatModel: .semiHonest) == nil)
    }

    @Test func hypergeometricMassesSumToOneWithTheirMean() {
        let h = Hypergeometric(population: 100, marked: 95, draws: 16)
        let p = h.masses()
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        let mean = p.indices.reduce(0.0) { $0 + Double($1) * p[$1] }
        #expect(abs(mean - 16 * 0.95) < 1e-10)
        #expect(abs(h.upperTails()[0] - 1) < 1e-12 && h.upperTails()[17] == 0)
    }

    /// The default threshold moves towards ⌊k/2⌋ + 1 only inside the bound's range.
    @Test func thresholdStaysInsideTheBoundsRange() throws {
        let semi = try #require(SecureAggregationDefaults.secAggPlus(clientCount: 100, corruption: 0.05, dropout: 0.05, threatModel: .semiHonest))
        #expect(semi.degree == 12 && semi.threshold == 7)  // least 6, majority 7, most 7
        let malicious = try #require(SecureAggregationDefaults.secAggPlus(clientCount: 100, corruption: 0.05, dropout: 0.05,
                                                                          threatModel: .maliciousServer))
        #expect(malicious.degree == 16 && malicious.threshold == 11)
    }

    /// At the bound's k and t for a cohort of 100 the protocol still reconstructs exactly with the
    /// dropouts it assumes (5% of the cohort) at every step: secure sum == plain sum of the clients
    /// whose masked input arrived.
    @Test(arguments: [SecureAggregationThreatModel.semiHonest, .maliciousServer])
    func secureSumIsExactAtTheBoundsDegreeWithAssumedDropouts(model: SecureAggregationThreatModel) throws {
        let bound = try #require(SecureAggregationDefaults.secAggPlus(clientCount: 100, corruption: 0.05, dropout: 0.05,
                                                                      threatModel: model))
        let setup = SecureAggregationProtocolTests.Setup(clients: 100, degree: bound.degree, threshold: bound.threshold,
                                                         length: 517, bits: 16, threatModel: model)
        let inputs = SecureAggregationProtocolTests.inputs(setup, seed: 7)
        // Five clients drop, one at each step and two after sending their input; the graph is public,
        // so aim two of them at one neighbourhood, where the dropouts bite hardest.
        let graph = SecureAggregationProtocolTests.parameters(setup).graph
        let near = graph.neighbours(of: 40)
        let planned: [(Int, SecureAggregationStep)] = [
            (Int(near[0]), .advertiseKeys), (Int(near[1]), .shareKeys), (40, .maskedInput), (77, .unmasking), (13, .maskedInput),
        ]
        let dropouts = Dictionary(planned, uniquingKeysWith: { first, _ in first })
        let (session, outcome) = try SecureAggregationProtocolTests.run(setup, inputs: inputs, dropouts: dropouts)
        let sum = try outcome.get()
        let included = session.includedClients
        let inputless = Set(dropouts.filter { $0.value != .unmasking }.keys.map(UInt32.init))
        #expect(included == Set((1...100).map(UInt32.init)).subtracting(inputless))
        #expect(sum == SecureAggregationProtocolTests.plainSum(inputs, of: included, bits: 16))
    }
}
