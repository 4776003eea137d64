/// Whether `actual` is within `atol + rtol * |expected|` of `expected` (NumPy's `isclose` rule).
public func isClose(_ actual: Double, _ expected: Double, rtol: Double, atol: Double = 0) -> Bool {
    abs(actual - expected) <= atol + rtol * abs(expected)
}

/// The largest `|a - b| / (atol + rtol * |b|)` over two equal-length sequences: ≤ 1 means all close.
public func worstCloseness(_ actual: [Float], _ expected: [Float], rtol: Double, atol: Double) -> Double {
    precondition(actual.count == expected.count, "worstCloseness: \(actual.count) vs \(expected.count)")
    var worst = 0.0
    for (a, b) in zip(actual, expected) {
        worst = max(worst, abs(Double(a) - Double(b)) / (atol + rtol * abs(Double(b))))
    }
    return worst
}
