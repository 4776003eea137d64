import Kernels
import Learning
import MurmurTestSupport

/// Random parameters and inputs for one layer, and the weighted-sum loss L = Σ out ⊙ R whose gradient
/// with respect to the output is exactly R: the standard way to gradient-check a layer in isolation.
struct LayerHarness {
    var parameters: ParameterSet
    var gradients: ParameterSet
    var random: TestRandom

    init(layout: ParameterLayout, seed: UInt64, scale: Float = 0.5) {
        random = TestRandom(seed: seed)
        gradients = ParameterSet(layout: layout)
        let values = random.floats(layout.count, -scale, scale)
        parameters = ParameterSet(layout: layout, flat: Tensor(shape: [layout.count], values: values))
    }

    /// Σ out ⊙ weights in Double.
    static func weightedSum(_ out: UnsafePointer<Float>, _ weights: [Float]) -> Double {
        var total = 0.0
        for i in weights.indices { total += Double(out[i]) * Double(weights[i]) }
        return total
    }

    /// Up to `limit` indices spread over 0..<count (all of them when count ≤ limit).
    static func sampleIndices(_ count: Int, limit: Int = 60) -> [Int] {
        count <= limit ? Array(0..<count) : (0..<limit).map { $0 * count / limit }
    }
}
