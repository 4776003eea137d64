/// Compares analytic gradients with central finite differences of a scalar loss.
///
/// For each checked coordinate i, the numeric derivative is (L(x + h eᵢ) − L(x − h eᵢ)) / 2h; the
/// result is the worst `|analytic − numeric| / (atol + rtol · max(|analytic|, |numeric|))`, so a value
/// ≤ 1 means every coordinate agrees. The loss is evaluated in Float by the layers and returned as
/// Double; with h ≈ 1e-2 the O(h²) truncation and the O(ε_float / h) rounding error both stay near 1e-4
/// relative for O(1) losses, which is why tests use rtol ≈ 1e-2 (the check of micrograd / llm.c).
package struct GradientCheck {
    package var step: Float = 1e-2
    package var rtol: Double = 2e-2
    package var atol: Double = 1e-3

    package init(step: Float = 1e-2, rtol: Double = 2e-2, atol: Double = 1e-3) {
        self.step = step
        self.rtol = rtol
        self.atol = atol
    }

    /// The worst closeness ratio over `indices`. `value` and `setValue` read and write one input
    /// coordinate (each its own short access, so `loss` may read the same storage); every coordinate is
    /// restored afterwards.
    package func worstRatio(
        analytic: [Float], indices: [Int], value: (Int) -> Float, setValue: (Int, Float) -> Void,
        loss: () -> Double
    ) -> Double {
        var worst = 0.0
        for index in indices {
            let original = value(index)
            setValue(index, original + step)
            let plus = loss()
            setValue(index, original - step)
            let minus = loss()
            setValue(index, original)
            let numeric = (plus - minus) / (Double(original + step) - Double(original - step))
            let exact = Double(analytic[index])
            let ratio = abs(exact - numeric) / (atol + rtol * max(abs(exact), abs(numeric)))
            worst = max(worst, ratio)
        }
        return worst
    }
}
