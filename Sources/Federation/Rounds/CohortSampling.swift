import Foundation
import Kernels

/// How a round's cohort is drawn from the population, from a stream keyed by (seed, round) so that any
/// round's cohort can be recomputed without the rounds before it (what makes a resume exact).
package enum CohortSampling: Sendable, Equatable, Codable {
    /// Exactly `size` distinct users, uniformly (sampling without replacement).
    case fixedSize(Int)
    /// Each user independently with probability `rate` (Poisson sampling), the scheme the privacy
    /// amplification-by-sampling bounds assume (Mironov, Talwar & Zhang 2019; Zhu & Wang 2019).
    case poisson(rate: Double)

    /// The user indices of round `round`, in increasing order.
    package func cohort(round: Int, population: Int, seed: UInt64) -> [Int] {
        var stream = RandomStream(seed: seed, keys: [0xC0407, UInt64(round)])
        switch self {
        case let .fixedSize(size):
            return Self.withoutReplacement(size: min(size, population), population: population, stream: &stream)
        case let .poisson(rate):
            return Self.poisson(rate: rate, population: population, stream: &stream)
        }
    }

    /// The expected cohort size.
    package func expectedSize(population: Int) -> Double {
        switch self {
        case let .fixedSize(size): Double(min(size, population))
        case let .poisson(rate): rate * Double(population)
        }
    }

    // Floyd's algorithm (Bentley & Floyd 1987): `size` distinct values with `size` draws, no O(N) array.
    private static func withoutReplacement(size: Int, population: Int, stream: inout RandomStream) -> [Int] {
        var chosen = Set<Int>(minimumCapacity: size)
        for upper in (population - size)..<population {
            let candidate = stream.uniformInt(below: upper + 1)
            chosen.insert(chosen.contains(candidate) ? upper : candidate)
        }
        return chosen.sorted()
    }

    // Geometric gaps between selected users: O(cohort) work, exactly Bernoulli(rate) per user.
    private static func poisson(rate: Double, population: Int, stream: inout RandomStream) -> [Int] {
        if rate >= 1 { return Array(0..<population) }
        if rate <= 0 { return [] }
        let logComplement = log1p(-rate)
        var selected: [Int] = []
        var index = -1
        while true {
            let u = 1 - stream.uniformDouble()  // in (0, 1]
            let gap = (log(u) / logComplement).rounded(.down)
            if gap >= Double(population - index) { break }
            index += Int(gap) + 1
            if index >= population { break }
            selected.append(index)
        }
        return selected
    }
}

extension CohortSampling {
    /// The cohort of `round`: the next users of `order` when the run takes users in a given order
    /// (`clients.userOrder`, `OrderedCohorts`), else drawn as above.
    package func cohort(round: Int, population: Int, seed: UInt64, order: OrderedCohorts?) -> [Int] {
        order?.cohort(round: round) ?? cohort(round: round, population: population, seed: seed)
    }
}
