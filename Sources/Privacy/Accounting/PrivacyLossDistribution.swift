import Foundation
import Kernels

/// A discretised privacy loss distribution: the law of log(p/q)(X) for X ∼ P, on the grid
/// `interval` · k, plus the mass at +∞ (outputs Q cannot produce). Composition is convolution.
///
/// Every step rounds towards more privacy loss (pessimistic): construction by connect-the-dots,
/// truncated tails moved up or to +∞, and an allowance for the composition's aliasing. So δ(ε) read
/// from it is an upper bound on the true one, tight to about the grid interval (Koskela, Jälkö,
/// Honkela 2020; Doroshenko et al. 2022).
package struct PrivacyLossDistribution: Sendable {
    /// The grid spacing in nats.
    package let interval: Double
    /// Grid index of `probabilities[0]`: its loss is `offset · interval`.
    package private(set) var offset: Int
    package private(set) var probabilities: [Double]
    package private(set) var infinityMass: Double

    /// The largest grid a single distribution may span; wider ones mean the noise is far too small
    /// for this interval (use the RDP accountant, or a coarser interval).
    package static let maximumBins = 1 << 24

    /// The connect-the-dots distribution of `pair`: the PMF on the grid whose hockey-stick curve passes
    /// through δ(ε) at every grid point and is linear in e^ε between them. Because δ is convex in e^ε,
    /// that curve lies above the true one everywhere (Doroshenko et al. 2022, Theorem 4.1).
    package init(pair: some PrivacyLossPair, interval: Double, tailMass: Double) throws(AccountingError) {
        let bounds = pair.lossBounds(tailMass: tailMass)
        let low = Int((bounds.lower / interval).rounded(.down))
        let high = max(low, Int((bounds.upper / interval).rounded(.up)))
        let count = high - low + 1
        guard count <= Self.maximumBins else {
            throw .distributionTooWide(bins: count, hint: "the noise is too small for the pld accountant at interval "
                + "\(interval); use the rdp accountant or a coarser interval")
        }
        var deltas = (0..<count).map { pair.delta(epsilon: Double(low + $0) * interval) }
        // δ must not increase with ε; where round-off says otherwise, keep the larger (pessimistic) value.
        for index in stride(from: count - 2, through: 0, by: -1) where deltas[index] < deltas[index + 1] {
            deltas[index] = deltas[index + 1]
        }
        let growth = expm1(interval)
        var masses = [Double](repeating: 0, count: count)
        for index in 0..<count {
            // p_i = e^(ε_i)·(S_(i−1) − S_i), S_i the slope of δ against e^ε right of point i.
            let fromLeft = index == 0 ? 1 - deltas[0] : (deltas[index - 1] - deltas[index]) * (growth + 1) / growth
            let toRight = index == count - 1 ? 0 : (deltas[index] - deltas[index + 1]) / growth
            masses[index] = max(0, fromLeft - toRight)
        }
        self.interval = interval
        offset = low
        probabilities = masses
        infinityMass = deltas[count - 1]
        trimTails(tailMass: 0)
    }

    init(interval: Double, offset: Int, probabilities: [Double], infinityMass: Double) {
        self.interval = interval
        self.offset = offset
        self.probabilities = probabilities
        self.infinityMass = infinityMass
    }

    /// The distribution of a mechanism that reveals nothing: all mass at loss 0.
    package static func identity(interval: Double) -> PrivacyLossDistribution {
        PrivacyLossDistribution(interval: interval, offset: 0, probabilities: [1], infinityMass: 0)
    }

    /// δ(ε) = P(loss = ∞) + Σ_(loss > ε) p · (1 − e^(ε − loss)).
    package func delta(epsilon: Double) -> Double {
        var delta = infinityMass
        for (index, p) in probabilities.enumerated() where p > 0 {
            let loss = Double(offset + index) * interval
            if loss > epsilon { delta += p * -expm1(epsilon - loss) }
        }
        return min(delta, 1)
    }

    /// The smallest ε ≥ 0 with δ(ε) ≤ `delta`: scans the grid from the top, then solves exactly inside
    /// the cell where δ crosses (δ is affine in e^ε there).
    package func epsilon(delta: Double) -> Double {
        if infinityMass > delta { return .infinity }
        let decay = exp(-interval)
        var mass = 0.0, weighted = 0.0  // Σ_(k>j) p_k and Σ_(k>j) p_k e^(loss_j − loss_k)
        for index in stride(from: probabilities.count - 1, through: 0, by: -1) {
            if infinityMass + mass - weighted > delta {
                let loss = Double(offset + index) * interval
                return max(0, loss + log((infinityMass + mass - delta) / weighted))
            }
            mass += probabilities[index]
            weighted = (weighted + probabilities[index]) * decay
        }
        // Even at the lowest loss δ is small enough: ε lies below it.
        let lowest = Double(offset - 1) * interval
        guard infinityMass + mass > delta, weighted > 0 else { return 0 }
        return max(0, lowest + log((infinityMass + mass - delta) / weighted))
    }

    /// The distribution of running both mechanisms: the convolution of the two, by FFT.
    package func composed(with other: PrivacyLossDistribution, tailMass: Double, work: PLDCache? = nil) -> PrivacyLossDistribution {
        precondition(interval == other.interval, "composed: distributions on different grids")
        // A single atom only shifts and scales the other distribution: no FFT needed.
        if probabilities.count == 1 || other.probabilities.count == 1 {
            let (atom, rest) = probabilities.count == 1 ? (self, other) : (other, self)
            let finite = (1 - atom.infinityMass) * (1 - rest.infinityMass)
            var result = PrivacyLossDistribution(interval: interval, offset: atom.offset + rest.offset,
                                                 probabilities: rest.probabilities.map { $0 * atom.probabilities[0] },
                                                 infinityMass: 1 - finite)
            result.trimTails(tailMass: tailMass)
            return result
        }
        let length = probabilities.count + other.probabilities.count - 1
        let plan = FFTPlan.shared(size: FFTPlan.size(atLeast: length))
        var (realA, imagA) = Self.padded(probabilities, size: plan.size)
        var (realB, imagB) = Self.padded(other.probabilities, size: plan.size)
        plan.forward(real: &realA, imaginary: &imagA)
        plan.forward(real: &realB, imaginary: &imagB)
        for k in 0..<plan.size {
            let re = realA[k] * realB[k] - imagA[k] * imagB[k]
            imagA[k] = realA[k] * imagB[k] + imagA[k] * realB[k]
            realA[k] = re
        }
        plan.inverse(real: &realA, imaginary: &imagA)
        work?.count(transforms: 3, length: plan.size)
        let finite = (1 - infinityMass) * (1 - other.infinityMass)
        var result = PrivacyLossDistribution(interval: interval, offset: offset + other.offset,
                                             probabilities: realA.prefix(length).map { max(0, $0) },
                                             infinityMass: 1 - finite)
        result.trimTails(tailMass: tailMass)
        return result
    }

    /// The distribution of `count` independent runs, by one real FFT raised to the power `count` over a
    /// window that a Chernoff bound shows holds all but `tailMass` of the result (dp_accounting's
    /// `self_convolve`). Mass outside the window folds into it cyclically; `tailMass` is added at +∞ to
    /// stay pessimistic. Two transforms whatever `count` is: the power is taken pointwise, by
    /// repeated squaring of each Fourier coefficient.
    package func selfComposed(count: Int, tailMass: Double, work: PLDCache? = nil) -> PrivacyLossDistribution {
        precondition(count >= 0, "selfComposed: count must be non-negative")
        if count == 0 { return .identity(interval: interval) }
        if count == 1 { return self }
        let window = chernoffWindow(count: count, tailMass: tailMass / 2)
        let n = max(2, FFTPlan.size(atLeast: window.upper - window.lower + 1))
        var spectrum = RealSpectrum(probabilities, length: n)
        Self.raise(real: &spectrum.real, imaginary: &spectrum.imaginary, toThe: count)
        let real = spectrum.inverse()
        work?.count(transforms: 2, length: n)
        // Position r holds the sums of relative index s ≡ r (mod n); keep the s inside the window.
        let firstRelative = window.lower - count * offset
        var masses = [Double](repeating: 0, count: n)
        for r in 0..<n {
            let slot = (r - firstRelative) & (n - 1)  // mod n, n a power of two
            masses[slot] = max(0, real[r])
        }
        let finite = exp(Double(count) * log1p(-infinityMass))
        var result = PrivacyLossDistribution(interval: interval, offset: window.lower, probabilities: masses,
                                             infinityMass: min(1, 1 - finite + tailMass))
        result.trimTails(tailMass: tailMass)
        return result
    }

    /// How many grid points `selfComposed(count:tailMass:)` spans: the FFT length it needs, before
    /// rounding up to a power of two.
    package func windowWidth(count: Int, tailMass: Double) -> Int {
        if count <= 1 { return count == 0 ? 1 : probabilities.count }
        let window = chernoffWindow(count: count, tailMass: tailMass / 2)
        return window.upper - window.lower + 1
    }

    /// z ↦ z^power for each complex z = real + i·imaginary, in place, by binary exponentiation of each
    /// coefficient in registers (about 2·log₂(power) complex products, no transcendental functions;
    /// the relative round-off grows like power·ulp, as the polar form's angle·power does). One pass
    /// over the arrays rather than one per bit: the work is the same, the memory traffic 2·log₂(power)
    /// times smaller.
    private static func raise(real: inout [Double], imaginary: inout [Double], toThe power: Int) {
        let n = real.count
        real.withUnsafeMutableBufferPointer { br in
            imaginary.withUnsafeMutableBufferPointer { bi in
                for k in 0..<n {
                    var baseR = br[k], baseI = bi[k], resultR = 1.0, resultI = 0.0
                    var remaining = power
                    while remaining > 0 {
                        if remaining & 1 == 1 {
                            let re = resultR * baseR - resultI * baseI
                            resultI = resultR * baseI + resultI * baseR
                            resultR = re
                        }
                        remaining >>= 1
                        if remaining > 0 {
                            let re = baseR * baseR - baseI * baseI
                            baseI = 2 * baseR * baseI
                            baseR = re
                        }
                    }
                    br[k] = resultR
                    bi[k] = resultI
                }
            }
        }
    }

    /// Grid indices [lower, upper] holding the sum of `count` draws except for mass `tailMass` on each
    /// side, by the Chernoff bound μ^{*n}(S ≥ u) ≤ e^(−t·u)·M(t)^n optimised over t (and the same below).
    ///
    /// The bound follows the distribution's actual support, heavy tails included: it is minimised by a
    /// golden-section search over log t (the bound is unimodal in t: its derivative's numerator
    /// n(tK′ − K) + log(1/tail) grows with t, K the cumulant function). The moment is taken on the
    /// masses gathered into at most 4096 blocks, each split between its first and last support point so
    /// as to keep its mean: as e^(tx) is convex, that moment is at least the real one for every t, so the
    /// bound stays valid, and it costs microseconds rather than a pass over a million bins per t.
    private func chernoffWindow(count: Int, tailMass: Double) -> (lower: Int, upper: Int) {
        let exactLower = count * offset, exactUpper = count * (offset + probabilities.count - 1)
        let blockSize = (probabilities.count + 4095) / 4096
        var logMasses: [Double] = [], points: [Double] = []
        var start = 0
        while start < probabilities.count {
            let end = min(start + blockSize, probabilities.count)
            var mass = 0.0, moment = 0.0, first = -1, last = -1
            for index in start..<end where probabilities[index] > 0 {
                mass += probabilities[index]
                moment += probabilities[index] * Double(index)
                if first < 0 { first = index }
                last = index
            }
            if mass > 0 {
                if first == last {
                    logMasses.append(log(mass)); points.append(Double(first))
                } else {
                    let mean = min(max(moment / mass, Double(first)), Double(last)), span = Double(last - first)
                    let low = mass * (Double(last) - mean) / span, high = mass * (mean - Double(first)) / span
                    if low > 0 { logMasses.append(log(low)); points.append(Double(first)) }
                    if high > 0 { logMasses.append(log(high)); points.append(Double(last)) }
                }
            }
            start = end
        }
        guard !points.isEmpty else { return (exactLower, exactLower) }
        let n = Double(count), logTail = log(tailMass)
        // The edge u (or l) at which the bound at slope e^logSlope equals the tail: u = (n·K(t) − log tail)/t,
        // l = −(n·K(−t) − log tail)/t, with K the log moment of the relative index.
        func edge(_ logSlope: Double, sign: Double) -> Double {
            let t = sign * exp(logSlope)
            var largest = -Double.infinity
            for k in points.indices { largest = max(largest, logMasses[k] + t * points[k]) }
            var sum = 0.0
            for k in points.indices { sum += exp(logMasses[k] + t * points[k] - largest) }
            return (n * (largest + log(sum)) - logTail) / t
        }
        func optimise(sign: Double) -> Double {
            // Over t per bin from e^−12/(width·n) to e^4; minimise u, maximise l.
            var a = -12 - log(Double(probabilities.count) * n), b = 4.0
            let ratio = (5.0.squareRoot() - 1) / 2
            let score = { (s: Double) in sign * edge(s, sign: sign) }
            var c = b - ratio * (b - a), d = a + ratio * (b - a)
            var fc = score(c), fd = score(d)
            for _ in 0..<44 {
                if fc < fd {
                    (b, d, fd) = (d, c, fc)
                    c = b - ratio * (b - a)
                    fc = score(c)
                } else {
                    (a, c, fc) = (c, d, fd)
                    d = a + ratio * (b - a)
                    fd = score(d)
                }
            }
            return sign * min(fc, fd)
        }
        let upper = optimise(sign: 1), lower = optimise(sign: -1)
        let limit = Double(exactUpper - exactLower)
        let upperIndex = upper.isFinite && upper < limit ? count * offset + Int(upper.rounded(.up)) : exactUpper
        let lowerIndex = lower.isFinite && lower > 0 ? count * offset + Int(lower.rounded(.down)) : exactLower
        return (min(lowerIndex, upperIndex), upperIndex)
    }

    /// Drops up to `tailMass`/2 from each end: the low end's mass moves up to the lowest kept loss,
    /// the high end's goes to +∞, so δ(ε) can only grow. Zero bins at the ends always go.
    mutating func trimTails(tailMass: Double) {
        var first = 0, dropped = 0.0
        while first < probabilities.count - 1, dropped + probabilities[first] <= tailMass / 2 {
            dropped += probabilities[first]
            first += 1
        }
        var last = probabilities.count - 1, cut = 0.0
        while last > first, cut + probabilities[last] <= tailMass / 2 {
            cut += probabilities[last]
            last -= 1
        }
        var kept = Array(probabilities[first...last])
        kept[0] += dropped
        probabilities = kept
        offset += first
        infinityMass = min(1, infinityMass + cut)
    }

    private static func padded(_ values: [Double], size: Int) -> ([Double], [Double]) {
        var real = [Double](repeating: 0, count: size)
        real.replaceSubrange(0..<values.count, with: values)
        return (real, [Double](repeating: 0, count: size))
    }
}
