import Foundation
import Kernels
import Privacy
import Testing

/// DP-FTRL's factorisations: the noise a round adds is its row of C⁻¹ (checked against C itself), the
/// sensitivity under a (k, b) participation schema is never below the brute-force maximum (and equals
/// it where it claims to be exact), and the participation schema counts what it says.
@Suite struct MatrixFactorizationTests {
    static let strategies: [MatrixFactorization] = [.treeAggregation, .bandedToeplitz(bands: 1), .bandedToeplitz(bands: 3),
                                                    .bandedToeplitz(bands: 6)]

    /// Schemas of small cases: k ∈ 1…3, b ∈ 1…4.
    static let schemas = (1...3).flatMap { k in (1...4).map { b in ParticipationSchema(maxParticipations: k, minSeparation: b) } }

    @Test func sensitivityBoundsTheBruteForceMaximumOnSmallCases() {
        for strategy in Self.strategies {
            for rounds in [1, 2, 3, 5, 8, 9] {
                let encoder = strategy.encoder(rounds: rounds)
                for schema in Self.schemas {
                    let oracle = MatrixFactorization.bruteForceSensitivity(encoder: encoder, rounds: rounds, schema: schema)
                    let fast = strategy.sensitivity(rounds: rounds, schema: schema)
                    #expect(fast >= oracle * (1 - 1e-12), "\(strategy.summary) T=\(rounds) k=\(schema.maxParticipations) b=\(schema.minSeparation)")
                    // Exact where the documentation says so: banded with bands ≤ b (or k = 1), tree with k = 1.
                    let exact: Bool
                    switch strategy {
                    case .treeAggregation: exact = schema.maxParticipations(inRounds: rounds) == 1
                    case let .bandedToeplitz(bands): exact = bands <= schema.minSeparation || schema.maxParticipations(inRounds: rounds) == 1
                    }
                    if exact { #expect(abs(fast - oracle) <= 1e-12 * max(1, oracle), "\(strategy.summary) T=\(rounds) k=\(schema.maxParticipations) b=\(schema.minSeparation)") }
                }
            }
        }
    }

    /// A hand case: tree over 4 rounds, k = 2, b = 1: rounds 0 and 1 share the interval [0, 2) and the
    /// root, so sens² = 1 + 1 + 2² + 2² = 10.
    @Test func treeOfFourRoundsWithTwoParticipations() {
        let schema = ParticipationSchema(maxParticipations: 2, minSeparation: 1)
        #expect(abs(MatrixFactorization.treeAggregation.sensitivity(rounds: 4, schema: schema) - 10.0.squareRoot()) < 1e-12)
        #expect(abs(MatrixFactorization.bruteForceSensitivity(encoder: MatrixFactorization.treeAggregation.encoder(rounds: 4),
                                                              rounds: 4, schema: schema) - 10.0.squareRoot()) < 1e-12)
    }

    /// Σ_t noise_t over rounds 1…T is the prefix-sum noise: for the tree, the sum of the intervals of T's
    /// binary decomposition (so ≤ log₂T + 1 vectors); for banded, B·z summed, i.e. each round's noise is
    /// C⁻¹z — checked by multiplying the per-round coefficients by C and getting the identity.
    @Test func eachRoundsNoiseIsItsRowOfTheInverse() {
        for strategy in Self.strategies {
            let rounds = 9
            let c = strategy.encoder(rounds: rounds)
            switch strategy {
            case .bandedToeplitz:
                // Row t of C⁻¹ (coefficients by round key), times C, is e_t.
                for t in 1...rounds {
                    var row = [Double](repeating: 0, count: rounds)
                    for term in strategy.noiseTerms(round: t) { row[Int(term.key)] += term.coefficient }
                    for column in 0..<rounds {
                        let product = (0..<rounds).reduce(0.0) { $0 + row[$1] * c[$1][column] }
                        #expect(abs(product - (column == t - 1 ? 1 : 0)) < 1e-12)
                    }
                }
            case .treeAggregation:
                // The per-round terms telescope to the prefix cover of T, each key once, coefficient 1.
                for total in 1...16 {
                    var sum: [UInt64: Double] = [:]
                    for t in 1...total { for term in strategy.noiseTerms(round: t) { sum[term.key, default: 0] += term.coefficient } }
                    let kept = sum.filter { abs($0.value) > 1e-12 }
                    #expect(kept.values.allSatisfy { abs($0 - 1) < 1e-12 } && kept.count == total.nonzeroBitCount)
                    #expect(strategy.noiseTerms(round: total).count <= 2 * (Int.bitWidth - total.leadingZeroBitCount) + 1)
                }
            }
        }
    }

    /// The banded square root: with as many bands as rounds, C·C is the prefix-sum matrix.
    @Test func fullBandedSquareRootSquaresToPrefixSums() {
        let rounds = 7
        let c = MatrixFactorization.bandedToeplitz(bands: rounds).encoder(rounds: rounds)
        for i in 0..<rounds {
            for j in 0..<rounds {
                let product = (0..<rounds).reduce(0.0) { $0 + c[i][$1] * c[$1][j] }
                #expect(abs(product - (i >= j ? 1 : 0)) < 1e-12)
            }
        }
    }

    @Test func participationSchemaCountsAndAllows() {
        let schema = ParticipationSchema(maxParticipations: 3, minSeparation: 4)
        #expect((1...14).map { schema.maxParticipations(inRounds: $0) } == [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3])
        #expect(schema.allows(round: 5, count: 1, lastRound: 1) && !schema.allows(round: 4, count: 1, lastRound: 1))
        #expect(!schema.allows(round: 50, count: 3, lastRound: 9) && schema.allows(round: 1, count: 0, lastRound: nil))
        // Patterns: every increasing set of ≤ k rounds b apart. Over 6 rounds with k = 2, b = 4: ∅, 6 singles, (0,4) (0,5) (1,5).
        let patterns = ParticipationSchema(maxParticipations: 2, minSeparation: 4).allPatterns(rounds: 6)
        #expect(patterns.count == 1 + 6 + 3 && Set(patterns.filter { $0.count == 2 }) == [[0, 4], [0, 5], [1, 5]])
    }

    /// Regenerated noise is the same vector whichever round asks for it: the stream keyed by a round is
    /// drawn afresh, so a tree node added at round 2 and subtracted at round 4 cancels exactly.
    @Test func regeneratedNoiseCancelsExactly() {
        var added = [Float](repeating: 0, count: 64)
        added.withUnsafeMutableBufferPointer { values in
            var first = RandomStream(seed: 9, keys: [0xD1FF_F7E1, 7])
            NoiseSampler.addScaledGaussian(to: values, scale: 1.5, stream: &first)
            var again = RandomStream(seed: 9, keys: [0xD1FF_F7E1, 7])
            NoiseSampler.addScaledGaussian(to: values, scale: -1.5, stream: &again)
        }
        #expect(added.allSatisfy { $0 == 0 })
    }
}
