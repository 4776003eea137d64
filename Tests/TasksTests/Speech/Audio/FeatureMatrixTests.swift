import Foundation
import MurmurTestSupport
import Tasks
import Testing

@Suite struct FeatureMatrixTests {
    /// Normalisation leaves every dimension with mean 0 and variance 1 over the utterance.
    @Test func normalisationGivesZeroMeanUnitVariance() {
        var random = TestRandom(seed: 11)
        let noise = (0..<8_000).map { n in random.uniform() * 0.1 + Float(0.2 * sin(Double(n) * 0.3)) }
        var features = LogMelFeatures().features(of: noise)
        features.normalisePerDimension()
        for d in 0..<80 {
            let column = (0..<features.frameCount).map { Double(features[$0, d]) }
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)
            #expect(abs(mean) < 1e-5 && abs(variance - 1) < 1e-4, "dimension \(d): mean \(mean), variance \(variance)")
        }
        var constant = FeatureMatrix(values: [Float](repeating: 3, count: 12), frameCount: 4, dimension: 3)
        constant.normalisePerDimension()
        #expect(constant.values == [Float](repeating: 0, count: 12))
    }
}
