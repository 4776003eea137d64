import Foundation
import Kernels

/// A span of simulated time, in seconds since the run's clock started (midnight UTC of day 0).
package struct TimeWindow: Sendable, Equatable, Codable {
    package var start: Double
    package var end: Double

    package init(start: Double, end: Double) {
        self.start = start
        self.end = end
    }

    package func contains(_ time: Double) -> Bool { start <= time && time < end }
}

/// One client's availability: sorted, disjoint windows and the instants it fails at.
package struct ClientAvailability: Sendable, Equatable {
    package private(set) var windows: [TimeWindow]
    package private(set) var failures: [Double]

    /// Sorts and merges `windows` (overlapping or touching ones become one) and sorts `failures`.
    package init(windows: [TimeWindow], failures: [Double] = []) {
        var merged: [TimeWindow] = []
        for window in windows.sorted(by: { $0.start < $1.start }) where window.end > window.start {
            if let last = merged.last, window.start <= last.end {
                merged[merged.count - 1].end = max(last.end, window.end)
            } else {
                merged.append(window)
            }
        }
        self.windows = merged
        self.failures = failures.sorted()
    }

    /// Whether the client is available at `time`.
    package func isAvailable(at time: Double) -> Bool { window(containing: time) != nil }

    /// When a task started at `time` is cut off: the end of the window holding `time`, or the first
    /// failure after `time` if that comes sooner; nil if the client is not available at `time`.
    package func interruption(after time: Double) -> Double? {
        guard let window = window(containing: time) else { return nil }
        let failure = failures.first { $0 > time && $0 < window.end }  // failures are few per client
        return failure ?? window.end
    }

    /// The first instant at or after `time` when the client is available, or nil if never.
    package func nextAvailable(atOrAfter time: Double) -> Double? {
        if isAvailable(at: time) { return time }
        return windows.first { $0.start >= time }?.start
    }

    private func window(containing time: Double) -> TimeWindow? {
        // Binary search for the last window starting at or before `time`.
        var low = 0, high = windows.count
        while low < high {
            let middle = (low + high) / 2
            if windows[middle].start <= time { low = middle + 1 } else { high = middle }
        }
        guard low > 0, windows[low - 1].contains(time) else { return nil }
        return windows[low - 1]
    }
}

extension AvailabilityPattern {
    /// The windows and failures that day `day` (local midnight to midnight, shifted by the time zone)
    /// begins, drawn from a stream keyed by (seed, client, day), so any day can be drawn alone, in any
    /// order, with the same result. Windows may run into the next day.
    package func day(_ day: Int, client: Int, timeZoneHours: Double, seed: UInt64) -> (windows: [TimeWindow], failures: [Double]) {
        var stream = RandomStream(seed: seed, keys: [0xDE71CE, UInt64(client), UInt64(bitPattern: Int64(day))])
        let midnight = (Double(day) * 24 - timeZoneHours) * 3600
        var windows: [TimeWindow] = []
        if stream.bernoulli(nightProbability) {
            let start = nightStartHour + jitterHours * stream.normal()
            let hours = min(24, max(0.25, nightHours + jitterHours * stream.normal()))
            windows.append(TimeWindow(start: midnight + start * 3600, end: midnight + (start + hours) * 3600))
        }
        for _ in 0..<stream.poisson(mean: daySessionsPerDay) {
            let start = 24 * stream.uniformDouble()
            let minutes = min(720, daySessionMedianMinutes * exp(daySessionSpread * stream.normal()))
            windows.append(TimeWindow(start: midnight + start * 3600, end: midnight + start * 3600 + minutes * 60))
        }
        // Failures fall uniformly over the day; only those inside a window can interrupt a task.
        let failures = (0..<stream.poisson(mean: failuresPerDay)).map { _ in midnight + 86_400 * stream.uniformDouble() }
        return (windows, failures)
    }
}

extension RandomStream {
    /// A Poisson draw by counting uniform products below e^−mean (Knuth); means here are small (< 50).
    mutating func poisson(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = exp(-mean)
        var count = 0, product = uniformDouble()
        while product > limit {
            count += 1
            product *= uniformDouble()
        }
        return count
    }
}
