import Kernels
import Learning
import MurmurTestSupport
import Testing

@Suite struct ParameterSetTests {
    @Test func flatViewsArithmeticAndNorms() {
        var layout = ParameterLayout()
        layout.add("w", shape: [2, 2])
        layout.add("b", shape: [2])
        let a = ParameterSet(layout: layout, flat: Tensor(shape: [6], values: [3, 0, 0, 4, 1, 0]))
        var b = ParameterSet(layout: layout, flat: Tensor(shape: [6], values: [1, 1, 1, 1, 1, 1]))
        #expect(a["w"].shape == [2, 2] && a["b"].scalars == [1, 0])
        #expect(isClose(a.l2Norm(), 26.0.squareRoot(), rtol: 1e-12))
        #expect(a.tensorNorms().map { Float($0) } == [5, 1])
        let delta = a.difference(from: b)
        #expect(delta.flat.scalars == [2, -1, -1, 3, 0, -1])
        b.axpy(1, delta)
        #expect(b == a)
        b.scale(by: 2)
        #expect(b.flat.scalars == [6, 0, 0, 8, 2, 0])
        #expect(ParameterSet(layout: layout, flat: a.flat) == a)
    }
}
