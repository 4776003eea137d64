/// Central finite difference of a scalar function with respect to one Float input, evaluated in place.
///
/// `value` points at the input; `loss` recomputes the scalar from scratch. The input is restored
/// afterwards. The truncation error is O(step²) and the rounding error O(ε_float · |loss| / step), so a
/// step near 1e-2 to 1e-3 balances them for O(1) losses computed in Float.
public func centralDifference(at value: UnsafeMutablePointer<Float>, step: Float, loss: () -> Double) -> Double {
    let original = value.pointee
    value.pointee = original + step
    let plus = loss()
    value.pointee = original - step
    let minus = loss()
    value.pointee = original
    // The step actually taken, after Float rounding of original ± step.
    let taken = Double(original + step) - Double(original - step)
    return (plus - minus) / taken
}

/// A small deterministic generator for test inputs (SplitMix64), independent of the code under test.
public struct TestRandom {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Float in [low, high).
    public mutating func uniform(_ low: Float = -1, _ high: Float = 1) -> Float {
        low + (high - low) * Float(next() >> 40) * 0x1p-24
    }

    /// `count` uniform Floats in [low, high).
    public mutating func floats(_ count: Int, _ low: Float = -1, _ high: Float = 1) -> [Float] {
        (0..<count).map { _ in uniform(low, high) }
    }

    /// A uniform integer in 0..<bound.
    public mutating func int(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
