import Foundation
import Kernels

/// A small deterministic corpus with learnable structure, for checks and the built-in demo.
///
/// Token ids 4..<V follow a first-order Markov chain: each token has `successorsPerToken` likely next
/// tokens (drawn once from a Zipf-like prior), taken with probability 0.9, else any token by the prior.
/// A model that learns the chain reaches a perplexity near the chain's entropy, far below the unigram
/// perplexity, which `unigramPerplexity` reports for comparison. Ids 0–3 are `<pad>`, `<unk>`, `<bos>`,
/// `<eos>` as in the federated text format.
package struct SyntheticCorpus: Sendable {
    package let vocabularySize: Int
    package let sentences: [[Int32]]

    package init(vocabularySize: Int, sentences count: Int, seed: UInt64, successorsPerToken: Int = 3,
                 sentenceLength: ClosedRange<Int> = 5...18) {
        precondition(vocabularySize > 8, "SyntheticCorpus: vocabulary too small")
        self.vocabularySize = vocabularySize
        let words = vocabularySize - 4
        let prior = (0..<words).map { Float(1 / Double($0 + 1)) }  // Zipf, exponent 1
        var chainStream = RandomStream(seed: seed, keys: [0xC0DE])
        let successors: [[Int32]] = prior.withUnsafeBufferPointer { p in
            (0..<words).map { _ in (0..<successorsPerToken).map { _ in Int32(4 + chainStream.categorical(p)) } }
        }
        var stream = RandomStream(seed: seed, keys: [0x5E17])
        sentences = prior.withUnsafeBufferPointer { p in
            (0..<count).map { _ in
                let length = sentenceLength.lowerBound
                    + stream.uniformInt(below: sentenceLength.upperBound - sentenceLength.lowerBound + 1)
                var sentence = [Int32(4 + stream.categorical(p))]
                while sentence.count < length {
                    let previous = Int(sentence.last!) - 4
                    if stream.bernoulli(0.9) {
                        sentence.append(successors[previous][stream.uniformInt(below: successorsPerToken)])
                    } else {
                        sentence.append(Int32(4 + stream.categorical(p)))
                    }
                }
                return sentence
            }
        }
    }

    /// Sentences as fixed-length rows: inputs `<bos>` + sentence, targets sentence + `<eos>`, padded with 0
    /// and cut to `steps` (pfl-research's LM rows), grouped into batches of `batchSize` rows.
    package func batches(steps: Int, batchSize: Int, sentences range: Range<Int>? = nil) -> [TokenBatch] {
        let selected = Array(sentences[range ?? sentences.indices])
        var batches: [TokenBatch] = []
        var start = 0
        while start < selected.count {
            let rows = selected[start..<min(selected.count, start + batchSize)]
            var inputs = [Int32](repeating: 0, count: rows.count * steps)
            var targets = inputs
            for (r, sentence) in rows.enumerated() {
                let input = [Int32(2)] + sentence, target = sentence + [Int32(3)]
                for t in 0..<min(steps, input.count) {
                    inputs[r * steps + t] = input[t]
                    targets[r * steps + t] = target[t]
                }
            }
            batches.append(TokenBatch(inputs: inputs, targets: targets, batch: rows.count, steps: steps))
            start += batchSize
        }
        return batches
    }

    /// exp of the entropy of the target tokens' empirical distribution over `batches`: the perplexity of
    /// the best model that ignores context.
    package static func unigramPerplexity(of batches: [TokenBatch]) -> Double {
        var counts: [Int32: Int] = [:]
        var total = 0
        for batch in batches {
            for target in batch.targets where target != 0 {
                counts[target, default: 0] += 1
                total += 1
            }
        }
        var entropy = 0.0
        for count in counts.values {
            let p = Double(count) / Double(total)
            entropy -= p * log(p)
        }
        return exp(entropy)
    }
}
