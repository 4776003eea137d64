/// An utterance's acoustic features: `frameCount` rows of `dimension` values, row-major (one row per
/// 10 ms frame), as the log-mel front end produces and the acoustic model reads.
package struct FeatureMatrix: Sendable, Equatable {
    package var values: [Float]
    package let frameCount: Int
    package let dimension: Int

    package init(values: [Float], frameCount: Int, dimension: Int) {
        precondition(values.count == frameCount * dimension, "FeatureMatrix: \(values.count) values for [\(frameCount), \(dimension)]")
        self.values = values
        self.frameCount = frameCount
        self.dimension = dimension
    }

    package subscript(frame: Int, bin: Int) -> Float {
        get { values[frame * dimension + bin] }
        set { values[frame * dimension + bin] = newValue }
    }

    /// Per-utterance mean and variance normalisation (CMVN): each dimension shifted to mean 0 and scaled
    /// to variance 1 over the utterance's frames, so loudness and channel differences between speakers'
    /// microphones do not reach the model. A dimension with variance below 1e-10 (silence, one frame) is
    /// only centred. Statistics in Double, so long utterances lose nothing to round-off.
    package mutating func normalisePerDimension() {
        guard frameCount > 0 else { return }
        let rows = frameCount, columns = dimension
        values.withUnsafeMutableBufferPointer { v in
            for d in 0..<columns {
                var sum = 0.0
                for r in 0..<rows { sum += Double(v[r &* columns &+ d]) }
                let mean = sum / Double(rows)
                var squares = 0.0
                for r in 0..<rows {
                    let centred = Double(v[r &* columns &+ d]) - mean
                    squares += centred * centred
                }
                let variance = squares / Double(rows)
                let scale = variance < 1e-10 ? 1 : 1 / variance.squareRoot()
                for r in 0..<rows { v[r &* columns &+ d] = Float((Double(v[r &* columns &+ d]) - mean) * scale) }
            }
        }
    }
}
