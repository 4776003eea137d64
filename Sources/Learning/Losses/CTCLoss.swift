import Foundation
import Kernels

/// Connectionist temporal classification: the negative log-probability of a label sequence under
/// per-frame softmax outputs, summed over every alignment (frame-by-frame path with blanks and repeats
/// that collapses to the labels), by the forward–backward recursion in log space (Graves, Fernández,
/// Gomez & Schmidhuber 2006, §4.1–4.2; the recursion of Graves 2012, "Supervised Sequence Labelling",
/// §7.3, eqs. 7.9–7.16).
///
/// Working in log space (log-sum-exp, Double) keeps long sequences from underflowing, which a product
/// of probabilities does after a few hundred frames. The gradient with respect to the logits is
/// softmax − (1/p(l|x)) Σ_{s: l'_s = k} α_t(s) β_t(s) / y_t(k) (Graves 2006, eq. 16), so it never
/// needs the probabilities themselves. A label sequence that no alignment fits — more labels plus
/// repeats (which need a blank between them) than frames — has probability 0: the loss is +∞, the
/// gradient zero and `feasible` false, so a trainer can skip or count it instead of meeting NaN.
package enum CTCLoss {
    package struct Result: Sendable, Equatable {
        /// −ln p(labels | logits); +∞ when infeasible.
        package var negativeLogLikelihood: Double
        /// False when no alignment of the labels fits in the frames.
        package var feasible: Bool

        package init(negativeLogLikelihood: Double, feasible: Bool) {
            self.negativeLogLikelihood = negativeLogLikelihood
            self.feasible = feasible
        }
    }

    /// Frames an alignment of `labels` needs: one per label plus a blank between equal neighbours.
    package static func minimumFrames(_ labels: UnsafeBufferPointer<Int32>) -> Int {
        var count = labels.count
        for i in labels.indices.dropFirst() where labels[i] == labels[i - 1] { count += 1 }
        return count
    }

    /// Doubles of workspace `lossAndGradient` needs: α and β over [frames, 2 · labels + 1], one row of classes.
    package static func workspaceCount(frames: Int, labels: Int, classes: Int) -> Int {
        2 * frames * (2 * labels + 1) + classes
    }

    // logits: [frames, classes], overwritten with gradientScale · d(−ln p)/d logits; labels: [L], each in
    // 0..<classes and ≠ blank; workspace: [workspaceCount(frames:labels:classes:)] Doubles
    package static func lossAndGradient(
        logits: UnsafeMutablePointer<Float>, frames: Int, classes: Int, labels: UnsafeBufferPointer<Int32>,
        blank: Int32 = 0, gradientScale: Float = 1, workspace: UnsafeMutablePointer<Double>
    ) -> Result {
        precondition(blank >= 0 && Int(blank) < classes, "CTCLoss: blank \(blank) outside 0..<\(classes)")
        for label in labels {
            precondition(label >= 0 && Int(label) < classes && label != blank, "CTCLoss: label \(label) is blank or out of range")
        }
        let t = frames, c = classes, s = 2 * labels.count + 1
        guard minimumFrames(labels) <= t else {
            logits.update(repeating: 0, count: t * c)
            return Result(negativeLogLikelihood: .infinity, feasible: false)
        }
        guard t > 0 else { return Result(negativeLogLikelihood: 0, feasible: true) }  // no frames, no labels
        // Log-softmax in place: logits now hold ln y_t(k).
        for frame in 0..<t { Softmax.logSoftmaxRows(logits + frame * c, rows: 1, columns: c) }
        let alpha = workspace, beta = workspace + t * s, classSums = workspace + 2 * t * s
        // l'_s: blank at even s, labels[(s − 1)/2] at odd s; a skip from s − 2 is allowed when l'_s is a
        // label different from l'_{s−2}.
        @inline(__always) func symbol(_ index: Int) -> Int { index & 1 == 0 ? Int(blank) : Int(labels[index >> 1]) }
        @inline(__always) func canSkip(_ index: Int) -> Bool {
            index & 1 == 1 && index >= 3 && labels[index >> 1] != labels[(index >> 1) - 1]
        }
        @inline(__always) func logProbability(_ frame: Int, _ index: Int) -> Double { Double(logits[frame * c + symbol(index)]) }

        // Forward: α_t(s) = ln Σ over paths of frames 0…t ending in l'_s (emission at t included).
        for index in 0..<s { alpha[index] = index < 2 ? logProbability(0, index) : -.infinity }
        for frame in 1..<max(t, 1) {
            let previous = alpha + (frame - 1) * s, current = alpha + frame * s
            for index in 0..<s {
                var sum = previous[index]
                if index >= 1 { sum = logAdd(sum, previous[index - 1]) }
                if canSkip(index) { sum = logAdd(sum, previous[index - 2]) }
                current[index] = sum + logProbability(frame, index)
            }
        }
        // Backward: β_t(s) = ln Σ over paths of frames t…T−1 starting in l'_s (emission at t included).
        let last = beta + (t - 1) * s
        for index in 0..<s { last[index] = index >= s - 2 ? logProbability(t - 1, index) : -.infinity }
        for frame in stride(from: t - 2, through: 0, by: -1) {
            let next = beta + (frame + 1) * s, current = beta + frame * s
            for index in 0..<s {
                var sum = next[index]
                if index + 1 < s { sum = logAdd(sum, next[index + 1]) }
                if index + 2 < s && canSkip(index + 2) { sum = logAdd(sum, next[index + 2]) }
                current[index] = sum + logProbability(frame, index)
            }
        }
        let finalAlpha = alpha + (t - 1) * s
        let logLikelihood = s >= 2 ? logAdd(finalAlpha[s - 1], finalAlpha[s - 2]) : finalAlpha[0]

        // Gradient: y_t(k) − Σ_{s: l'_s = k} exp(α_t(s) + β_t(s) − ln y_t(k) − ln p).
        for frame in 0..<t {
            let row = logits + frame * c
            for k in 0..<c { classSums[k] = -.infinity }
            for index in 0..<s {
                let k = symbol(index)
                classSums[k] = logAdd(classSums[k], alpha[frame * s + index] + beta[frame * s + index])
            }
            for k in 0..<c {
                let logY = Double(row[k])
                let occupancy = classSums[k] == -.infinity ? 0 : exp(classSums[k] - logY - logLikelihood)
                row[k] = gradientScale * Float(exp(logY) - occupancy)
            }
        }
        return Result(negativeLogLikelihood: -logLikelihood, feasible: true)
    }

    /// ln(eᵃ + eᵇ), exact at −∞.
    @inline(__always)
    static func logAdd(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b))
    }
}
