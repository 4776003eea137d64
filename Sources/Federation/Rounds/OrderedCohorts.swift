import Foundation

/// Cohorts taken from a given order of users instead of drawn at random: round r takes the next `cohortSize`
/// users of `order`, wrapping around at the end (round 1 takes `order[0..<cohortSize]`).
///
/// What makes a run comparable with another simulator's user for user: pfl-research's `minimize_reuse`
/// sampler hands out its (shuffled) user ids exactly so (`itertools.cycle`, pfl `data/sampling.py`), and
/// `pfl_lm.py --write-order` writes that order. A cohort depends only on the round, so a resume is exact.
/// It is not random sampling, so no privacy amplification by sampling holds (the scenario refuses DP with it).
package struct OrderedCohorts: Sendable, Equatable, Codable {
    /// User indices (into the training population), in the order they are taken; repeats allowed.
    package let order: [Int]
    package let cohortSize: Int

    package init(order: [Int], cohortSize: Int) {
        precondition(!order.isEmpty && cohortSize >= 1, "OrderedCohorts: an order of users and a cohort size ≥ 1")
        self.order = order
        self.cohortSize = cohortSize
    }

    /// The users of round `round` (1-based), in the order's order.
    package func cohort(round: Int) -> [Int] {
        precondition(round >= 1, "OrderedCohorts: rounds count from 1")
        let start = (round - 1) % order.count * cohortSize % order.count
        return (0..<cohortSize).map { order[(start + $0) % order.count] }
    }

    /// Reads an order file: one user a line, each either an index (all lines integers) or a user name
    /// looked up in `names` (the population's names by index). Blank lines are skipped.
    /// - Returns: the indices, or the first problem as one line ("line 3: no user u77 in the population").
    package static func parse(_ text: String, population: Int, names: () throws -> [String]) throws -> [Int] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .map { ($0.offset + 1, $0.element.trimmingCharacters(in: .whitespaces)) }.filter { !$0.1.isEmpty }
        guard !lines.isEmpty else { throw OrderProblem(description: "the file lists no users") }
        if lines.allSatisfy({ Int($0.1) != nil }) {
            return try lines.map { number, text in
                let index = Int(text)!
                guard (0..<population).contains(index) else {
                    throw OrderProblem(description: "line \(number): user index \(index) is outside 0..<\(population)")
                }
                return index
            }
        }
        var indexOf: [String: Int] = [:]
        for (index, name) in try names().enumerated() where indexOf[name] == nil { indexOf[name] = index }
        return try lines.map { number, name in
            guard let index = indexOf[name] else {
                throw OrderProblem(description: "line \(number): no user \(name) in the population")
            }
            return index
        }
    }

    /// One line saying what is wrong with an order file.
    package struct OrderProblem: Error, CustomStringConvertible {
        package let description: String
        package init(description: String) { self.description = description }
    }
}
