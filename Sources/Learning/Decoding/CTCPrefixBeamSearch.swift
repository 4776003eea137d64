import Foundation
import Kernels

/// CTC prefix beam search: keeps the `beamWidth` likeliest label prefixes, each with the log-probability
/// of the paths so far that collapse to it and end in a blank (p_b) or in its last label (p_nb), so a
/// prefix's score sums over its alignments instead of following one path (Graves 2012, "Supervised
/// Sequence Labelling", §7.5; Hannun et al. 2014, "First-pass large vocabulary continuous speech
/// recognition using bi-directional recurrent DNNs", Algorithm 1, here without a language model).
///
/// With a beam as wide as the number of prefixes it is exact: the best labelling and its probability.
/// Deterministic: prefixes are extended in beam order and classes in index order, and ties in score are
/// broken by the prefixes' labels, so no hash order reaches the result.
package struct CTCPrefixBeamSearch: Sendable {
    package var beamWidth: Int
    package var blank: Int32
    /// Classes whose log-probability at a frame is below this are not tried as extensions (−∞: all are).
    package var pruneLogProbability: Double

    package init(beamWidth: Int = 8, blank: Int32 = 0, pruneLogProbability: Double = -.infinity) {
        precondition(beamWidth >= 1, "CTCPrefixBeamSearch: beam width \(beamWidth)")
        self.beamWidth = beamWidth
        self.blank = blank
        self.pruneLogProbability = pruneLogProbability
    }

    /// A labelling and ln p(labels | logits) over the alignments the beam kept.
    package struct Hypothesis: Sendable, Equatable {
        package var labels: [Int32]
        package var logProbability: Double
    }

    private struct Beam {
        var labels: [Int32]
        var blankEnding: Double
        var labelEnding: Double
        var score: Double { CTCLoss.logAdd(blankEnding, labelEnding) }
    }

    // logits: [frames, classes] (raw; log-softmax is taken per frame) → hypotheses, best first
    package func decode(logits: UnsafePointer<Float>, frames: Int, classes: Int) -> [Hypothesis] {
        var beams = [Beam(labels: [], blankEnding: 0, labelEnding: -.infinity)]
        var row = [Float](repeating: 0, count: classes)
        for t in 0..<frames {
            row.withUnsafeMutableBufferPointer { r in
                r.baseAddress!.update(from: logits + t * classes, count: classes)
                Softmax.logSoftmaxRows(r.baseAddress!, rows: 1, columns: classes)
            }
            var next: [Beam] = []
            var index: [[Int32]: Int] = [:]
            func add(_ labels: [Int32], blankEnding: Double = -.infinity, labelEnding: Double = -.infinity) {
                if blankEnding == -.infinity && labelEnding == -.infinity { return }  // no path reaches it
                if let at = index[labels] {
                    next[at].blankEnding = CTCLoss.logAdd(next[at].blankEnding, blankEnding)
                    next[at].labelEnding = CTCLoss.logAdd(next[at].labelEnding, labelEnding)
                } else {
                    index[labels] = next.count
                    next.append(Beam(labels: labels, blankEnding: blankEnding, labelEnding: labelEnding))
                }
            }
            for beam in beams {
                let total = beam.score
                for k in 0..<classes {
                    let logY = Double(row[k])
                    let symbol = Int32(k)
                    if symbol == blank {
                        add(beam.labels, blankEnding: total + logY)
                        continue
                    }
                    guard logY >= pruneLogProbability else { continue }
                    if symbol == beam.labels.last {
                        // Repeating the last label without a blank stays on the prefix; after a blank, extends it.
                        add(beam.labels, labelEnding: beam.labelEnding + logY)
                        add(beam.labels + [symbol], labelEnding: beam.blankEnding + logY)
                    } else {
                        add(beam.labels + [symbol], labelEnding: total + logY)
                    }
                }
            }
            next.sort(by: Self.better)
            beams = Array(next.prefix(beamWidth))
        }
        return beams.map { Hypothesis(labels: $0.labels, logProbability: $0.score) }
    }

    /// Higher score first; equal scores by shorter, then lexicographically smaller labels.
    private static func better(_ a: Beam, _ b: Beam) -> Bool {
        let sa = a.score, sb = b.score
        if sa != sb { return sa > sb }
        if a.labels.count != b.labels.count { return a.labels.count < b.labels.count }
        return a.labels.lexicographicallyPrecedes(b.labels)
    }
}
