import Foundation
import Learning
import MurmurTestSupport
import Testing

@Suite struct CTCPrefixBeamSearchTests {
    static func logits(_ probabilities: [[Double]]) -> [Float] { probabilities.flatMap { $0.map { Float(log($0)) } } }

    /// The textbook case where the best path and the best labelling differ: two frames with p(blank) = 0.6,
    /// p(a) = 0.4. The path "_ _" (0.36) beats every single path, but "a" has three (0.16 + 0.24 + 0.24).
    @Test func beamSearchFindsTheLabellingGreedyMisses() {
        let logits = Self.logits([[0.6, 0.4], [0.6, 0.4]])
        #expect(CTCGreedyDecoder.decode(logits: logits, frames: 2, classes: 2) == [])
        let best = CTCPrefixBeamSearch(beamWidth: 4).decode(logits: logits, frames: 2, classes: 2)
        #expect(best[0].labels == [1])
        #expect(abs(best[0].logProbability - log(0.64)) < 1e-6)
        #expect(best[1].labels == [] && abs(best[1].logProbability - log(0.36)) < 1e-6)
    }

    /// A beam wide enough to keep every prefix is exact: its best labelling is the brute-force best over
    /// all 3⁵ paths, with the probability the CTC loss gives that labelling; every kept hypothesis's
    /// probability is the CTC probability of its labels.
    @Test(arguments: [1, 2, 3, 4])
    func wideBeamIsExact(seed: UInt64) {
        var random = TestRandom(seed: seed)
        let frames = 5, classes = 3
        let logits = random.floats(frames * classes, -2, 2)
        var totals: [[Int32]: Double] = [:]
        for code in 0..<243 {
            var rest = code, path: [Int] = [], logP = 0.0
            for t in 0..<frames {
                path.append(rest % classes)
                rest /= classes
                let row = (0..<classes).map { Double(logits[t * classes + $0]) }
                logP += row[path[t]] - log(row.reduce(0) { $0 + exp($1) })
            }
            var labels: [Int32] = []
            for t in 0..<frames where path[t] != 0 && (t == 0 || path[t] != path[t - 1]) { labels.append(Int32(path[t])) }
            totals[labels, default: 0] += exp(logP)
        }
        let oracle = totals.max { $0.value < $1.value }!
        let hypotheses = CTCPrefixBeamSearch(beamWidth: 64).decode(logits: logits, frames: frames, classes: classes)
        #expect(hypotheses[0].labels == oracle.key)
        #expect(abs(hypotheses[0].logProbability - log(oracle.value)) < 1e-5)
        for hypothesis in hypotheses {
            var copy = logits
            var workspace = [Double](repeating: 0, count: CTCLoss.workspaceCount(frames: frames, labels: hypothesis.labels.count, classes: classes))
            let ctc = hypothesis.labels.withUnsafeBufferPointer {
                CTCLoss.lossAndGradient(logits: &copy, frames: frames, classes: classes, labels: $0, workspace: &workspace)
            }
            #expect(abs(hypothesis.logProbability + ctc.negativeLogLikelihood) < 1e-5)
        }
        #expect(hypotheses.count == totals.count)
    }

    /// A narrow beam is deterministic and agrees with greedy on confident frames.
    @Test func narrowBeamOnConfidentFramesIsGreedy() {
        var random = TestRandom(seed: 9)
        let frames = 40, classes = 6
        let logits = (0..<frames).flatMap { _ in
            let best = random.int(below: classes)
            return (0..<classes).map { Float($0 == best ? 8 : random.uniform(-1, 1)) }
        }
        let beam = CTCPrefixBeamSearch(beamWidth: 3).decode(logits: logits, frames: frames, classes: classes)
        #expect(beam[0].labels == CTCGreedyDecoder.decode(logits: logits, frames: frames, classes: classes))
        #expect(beam == CTCPrefixBeamSearch(beamWidth: 3).decode(logits: logits, frames: frames, classes: classes))
    }
}
