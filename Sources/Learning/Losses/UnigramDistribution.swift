import Foundation
import Kernels

/// A public estimate of how often each vocabulary word occurs: the noise distribution of NCE and sampled
/// softmax, and the ranking partial embedding updates choose rows by.
///
/// Ids 0…3 (`<pad>`, `<unk>`, `<bos>`, `<eos>`) keep the weight they are given, except `<pad>`, which is
/// never a target and gets none. Immutable after construction; shared across threads.
package final class UnigramDistribution: Sendable {
    /// Where the frequencies come from.
    package enum Source: String, Sendable, Equatable, Codable, CaseIterable {
        /// Zipf weights 1/rank over the vocabulary's order (vocab.txt lists words by frequency): a public
        /// prior that costs no privacy and needs no data.
        case rank
        /// Counts on the server's held-out (validation) data, smoothed by one: central data the server has.
        case heldOut
    }

    /// Normalised probabilities, one per id.
    package let probabilities: [Double]
    private let cumulative: [Double]

    /// From non-negative weights per id (normalised here; `<pad>`, id 0, is set to zero).
    package init(weights: [Double]) {
        precondition(weights.count >= 2 && weights.allSatisfy { $0 >= 0 && $0.isFinite }, "UnigramDistribution: weights")
        var w = weights
        w[0] = 0
        let total = w.reduce(0, +)
        precondition(total > 0, "UnigramDistribution: all weights zero")
        probabilities = w.map { $0 / total }
        var running = 0.0
        cumulative = probabilities.map { running += $0; return running }
    }

    /// Zipf weights 1/(id − 3) for words, with the special tokens weighted like the most frequent word
    /// (`<eos>` ends every sentence; `<unk>` and `<bos>` are rare but must not have probability zero).
    package static func rank(vocabularySize: Int) -> UnigramDistribution {
        UnigramDistribution(weights: (0..<vocabularySize).map { id in id < 4 ? 1 : 1 / Double(id - 3) })
    }

    /// Add-one smoothed counts of `targets` (padding ignored).
    package static func counts(of targets: [Int32], vocabularySize: Int) -> UnigramDistribution {
        var counts = [Double](repeating: 1, count: vocabularySize)
        for target in targets where target > 0 && Int(target) < vocabularySize { counts[Int(target)] += 1 }
        return UnigramDistribution(weights: counts)
    }

    package var vocabularySize: Int { probabilities.count }

    /// One id drawn from the distribution (inverse CDF by binary search).
    package func sample(using stream: inout RandomStream) -> Int32 {
        let u = stream.uniformDouble() * cumulative[cumulative.count - 1]
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > u { high = middle } else { low = middle + 1 }
        }
        return Int32(low)
    }

    /// The ids ordered from most to least frequent (ties by id), `<pad>` excluded.
    package func idsByFrequency() -> [Int32] {
        let p = probabilities
        let ids: [Int] = (1..<p.count).sorted { (a: Int, b: Int) -> Bool in p[a] != p[b] ? p[a] > p[b] : a < b }
        return ids.map { Int32($0) }
    }
}
