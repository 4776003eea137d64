import Foundation
import Kernels

/// A deterministic generative "language" for synthetic federated text, the same as the peer's
/// `make_lm_data.py` in structure: what `murmur data synth-lm` writes and `SyntheticPopulation` samples.
///
/// - Words (ids 4…V−1) follow a Zipf(s) unigram, the heavy head and long tail of real vocabularies.
/// - K topics each boost a random 3% of the words (at most 300) forty-fold; a user mixes two topics
///   (the main one 60% of the time), which gives users distinct, non-IID word preferences.
/// - Every word has eight likely successors with fixed slot probabilities; a word after the first
///   follows the previous one with probability 0.6, otherwise comes from the user's topic mix. This is
///   the local word-order structure an LSTM can learn and a unigram model cannot.
/// - A user has ⌈LogNormal(1.6, 1.0)⌉ sentences (median 5, a heavy tail), capped; sentence lengths are
///   uniform in 5…20 words.
/// Everything is drawn from counter-based streams keyed by the seeds, so a language (and any user of it)
/// is the same on every machine. Immutable after construction; shared across threads.
package final class SyntheticLanguage: Sendable {
    package static let successorSlotProbabilities: [Double] = [0.35, 0.2, 0.14, 0.1, 0.08, 0.06, 0.04, 0.03]
    package static let bigramProbability = 0.6
    package static let mainTopicProbability = 0.6

    package let vocabularySize: Int
    package let topicCount: Int
    private let wordCount: Int
    private let topicCumulative: [Double]  // topicCount × wordCount running sums, each row ending at 1
    private let successors: [Int32]  // wordCount × 8 word indices
    private let slotCumulative: [Double]

    /// Builds the language for `vocabularySize` (≥ 8, ids 0–3 reserved), `topics` topics, Zipf exponent
    /// `zipfExponent`, from `seed`.
    package init(vocabularySize: Int, topics: Int = 40, zipfExponent: Double = 1.1, seed: UInt64) {
        precondition(vocabularySize >= 8 && topics >= 2, "SyntheticLanguage: vocabulary ≥ 8 and topics ≥ 2")
        self.vocabularySize = vocabularySize
        topicCount = topics
        let words = vocabularySize - 4
        wordCount = words
        var unigram = (0..<words).map { 1 / pow(Double($0 + 1), zipfExponent) }
        let total = unigram.reduce(0, +)
        for i in unigram.indices { unigram[i] /= total }
        let boosted = min(300, max(2, words * 3 / 100))
        var cumulative: [Double] = []
        cumulative.reserveCapacity(topics * words)
        var indices = Array(0..<words)
        for topic in 0..<topics {
            var stream = RandomStream(seed: seed, keys: [0x70B1C, UInt64(topic)])
            var weights = unigram
            for chosen in 0..<boosted {  // partial Fisher–Yates: `boosted` distinct words
                let pick = chosen + stream.uniformInt(below: words - chosen)
                indices.swapAt(chosen, pick)
                weights[indices[chosen]] *= 40
            }
            cumulative += Self.runningSums(weights)
        }
        topicCumulative = cumulative
        let unigramCumulative = Self.runningSums(unigram)
        var successorStream = RandomStream(seed: seed, keys: [0x5CC])
        successors = (0..<(words * 8)).map { _ in
            Int32(Self.draw(unigramCumulative[...], successorStream.uniformDouble()))
        }
        slotCumulative = Self.runningSums(Self.successorSlotProbabilities)
    }

    /// One user's sentences, drawn from `stream`: at most `maxSentences` of them.
    package func generateSentences(using stream: inout RandomStream, maxSentences: Int) -> [[Int32]] {
        let mainTopic = stream.uniformInt(below: topicCount)
        var otherTopic = stream.uniformInt(below: topicCount - 1)
        if otherTopic >= mainTopic { otherTopic += 1 }
        let logCount = 1.6 + stream.normal()
        let sentenceCount = min(maxSentences, max(1, Int(exp(logCount).rounded(.up))))
        var sentences: [[Int32]] = []
        sentences.reserveCapacity(sentenceCount)
        for _ in 0..<sentenceCount {
            let length = 5 + stream.uniformInt(below: 16)
            var sentence: [Int32] = []
            sentence.reserveCapacity(length)
            var previous = -1
            for _ in 0..<length {
                let word: Int
                if previous >= 0 && stream.uniformDouble() < Self.bigramProbability {
                    let slot = Self.draw(slotCumulative[...], stream.uniformDouble())
                    word = Int(successors[previous * 8 + slot])
                } else {
                    let topic = stream.uniformDouble() < Self.mainTopicProbability ? mainTopic : otherTopic
                    let row = topicCumulative[(topic * wordCount)..<((topic + 1) * wordCount)]
                    word = Self.draw(row, stream.uniformDouble())
                }
                sentence.append(Int32(word + 4))
                previous = word
            }
            sentences.append(sentence)
        }
        return sentences
    }

    /// The token list `<pad> <unk> <bos> <eos> w4 w5 …` that names this language's ids.
    package var vocabulary: Vocabulary {
        // Safe: the special tokens come first and the word names are distinct.
        try! Vocabulary(tokens: Vocabulary.specialTokens + (4..<vocabularySize).map { "w\($0)" })
    }

    private static func runningSums(_ weights: [Double]) -> [Double] {
        var sums = [Double](repeating: 0, count: weights.count)
        var total = 0.0
        for (i, weight) in weights.enumerated() {
            total += weight
            sums[i] = total
        }
        for i in sums.indices { sums[i] /= total }
        return sums
    }

    // The first index whose running sum exceeds u·last (binary search), as numpy's searchsorted(side=right).
    private static func draw(_ cumulative: ArraySlice<Double>, _ u: Double) -> Int {
        let target = u * cumulative[cumulative.endIndex - 1]
        var low = cumulative.startIndex, high = cumulative.endIndex - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] <= target { low = middle + 1 } else { high = middle }
        }
        return low - cumulative.startIndex
    }
}
