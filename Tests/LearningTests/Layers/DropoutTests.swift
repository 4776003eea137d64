import Kernels
import Learning
import Testing

@Suite struct DropoutTests {
    /// The kept fraction is 1 − rate, kept values are scaled by 1/(1 − rate) (so the mean is preserved),
    /// the same stream gives the same mask, and backward passes gradients only through kept elements.
    @Test func keepsExpectedFractionAndBackpropagatesThroughMask() {
        let count = 100_000, rate: Float = 0.25
        let x = [Float](repeating: 2, count: count)
        var mask = [Float](repeating: 0, count: count), out = mask, again = mask, otherMask = mask
        var stream = RandomStream(seed: 3, keys: [1])
        Dropout.forward(x: x, count: count, rate: rate, stream: &stream, mask: &mask, out: &out)
        var replay = RandomStream(seed: 3, keys: [1])
        Dropout.forward(x: x, count: count, rate: rate, stream: &replay, mask: &otherMask, out: &again)
        #expect(out == again)
        let kept = mask.filter { $0 != 0 }.count
        #expect(abs(Double(kept) / Double(count) - 0.75) < 5 * (0.75 * 0.25 / Double(count)).squareRoot())
        #expect(Set(out) == [0, 2 / 0.75])
        var dX = [Float](repeating: 0, count: count)
        Dropout.backward(dOut: x, mask: mask, count: count, dX: &dX)
        #expect(dX == out)
    }
}
