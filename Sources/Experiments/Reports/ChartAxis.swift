import Foundation

/// One axis of a chart: its data range, scale and tick positions, mapping values to pixels.
///
/// Ticks fall on "nice" numbers (1, 2 or 5 times a power of ten) so a reader can interpolate by eye;
/// a log axis puts them on decades, or on 1-2-5 steps when the data span less than two decades
/// (perplexity curves from 1100 to 53 read best that way).
package struct ChartAxis: Sendable, Equatable {
    /// How values map to positions.
    package enum Scale: Sendable, Equatable {
        case linear
        /// Base-10 logarithmic; every value must be positive.
        case logarithmic

        /// Logarithmic for positive values spanning more than a factor of ten (a perplexity curve from
        /// 1100 to 53), linear otherwise (error rates, accuracies).
        static func suited(to points: [ChartPoint]) -> Scale {
            let values = points.map(\.y)
            guard let low = values.min(), let high = values.max(), low > 0 else { return .linear }
            return high / low > 10 ? .logarithmic : .linear
        }
    }

    package let label: String
    package let scale: Scale
    /// The ends of the axis (after rounding outward to ticks), in data units.
    package let lower: Double
    package let upper: Double
    /// Where ticks and grid lines go, in data units, ascending.
    package let ticks: [Double]

    /// An axis covering `values` (non-finite values, and non-positive ones on a log axis, are ignored).
    package init(label: String, scale: Scale, covering values: [Double], includeZero: Bool = false, targetTicks: Int = 6) {
        self.label = label
        self.scale = scale
        var usable = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
        if includeZero && scale == .linear { usable.append(0) }
        var low = usable.min() ?? (scale == .linear ? 0 : 1)
        var high = usable.max() ?? (scale == .linear ? 1 : 10)
        switch scale {
        case .linear:
            if low == high { (low, high) = low == 0 ? (0, 1) : (low - abs(low) * 0.1, high + abs(high) * 0.1) }
            let step = Self.niceStep((high - low) / Double(max(1, targetTicks - 1)))
            low = (low / step).rounded(.down) * step
            high = (high / step).rounded(.up) * step
            ticks = stride(from: low, through: high + step * 1e-9, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
        case .logarithmic:
            if low == high { (low, high) = (low / 2, high * 2) }
            ticks = Self.logTicks(low: low, high: high)
            low = min(low, ticks.first!)
            high = max(high, ticks.last!)
        }
        lower = low
        upper = high
    }

    /// The position of `value` between the axis ends, 0 at `lower` and 1 at `upper`.
    package func fraction(_ value: Double) -> Double {
        switch scale {
        case .linear: return upper > lower ? (value - lower) / (upper - lower) : 0.5
        case .logarithmic:
            guard value > 0 else { return 0 }
            return upper > lower ? (log10(value) - log10(lower)) / (log10(upper) - log10(lower)) : 0.5
        }
    }

    /// The smallest of 1, 2, 5 × 10^k that is at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let magnitude = pow(10, (log10(rough)).rounded(.down))
        for multiple in [1.0, 2, 5, 10] where multiple * magnitude >= rough * (1 - 1e-12) { return multiple * magnitude }
        return 10 * magnitude
    }

    /// Ticks for a log axis from below `low` to above `high`: decades when the range is wide, else the
    /// 1-2-5 values of each decade (enough of them for a short range to carry labels).
    static func logTicks(low: Double, high: Double) -> [Double] {
        let firstDecade = Int(log10(low).rounded(.down)), lastDecade = Int(log10(high).rounded(.up))
        let decades = (firstDecade...lastDecade).map { pow(10, Double($0)) }
        let span = log10(high) - log10(low)
        let multiples: [Double] = span > 2 ? [1] : span > 0.8 ? [1, 2, 5] : [1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9]
        let candidates = decades.flatMap { decade in multiples.map { $0 * decade } }
        let below = candidates.last { $0 <= low * (1 + 1e-12) } ?? candidates.first!
        let above = candidates.first { $0 >= high * (1 - 1e-12) } ?? candidates.last!
        return candidates.filter { $0 >= below && $0 <= above }
    }
}
