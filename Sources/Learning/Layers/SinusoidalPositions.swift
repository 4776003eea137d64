import Foundation

/// Fixed sinusoidal position encodings, PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(…)
/// (Vaswani et al. 2017, §3.5): no parameters and defined at any length, so an utterance longer than any
/// seen in training still has positions, and the federated update carries nothing for them.
package enum SinusoidalPositions {
    /// Writes `steps` rows of `width` encodings into `table` (row-major), starting at position 0.
    package static func fill(_ table: UnsafeMutablePointer<Float>, steps: Int, width: Int) {
        for t in 0..<steps {
            for i in stride(from: 0, to: width, by: 2) {
                let angle = Double(t) / pow(10_000, Double(i) / Double(width))
                table[t * width + i] = Float(sin(angle))
                if i + 1 < width { table[t * width + i + 1] = Float(cos(angle)) }
            }
        }
    }

    /// Adds the encodings to each of `batch` sequences of `steps` rows; `table` holds at least `steps` rows.
    package static func add(_ table: UnsafePointer<Float>, to x: UnsafeMutablePointer<Float>, batch: Int, steps: Int, width: Int) {
        for b in 0..<batch {
            let sequence = x + b * steps * width
            for i in 0..<(steps * width) { sequence[i] += table[i] }
        }
    }
}
