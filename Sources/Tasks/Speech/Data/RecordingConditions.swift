import Foundation
import Kernels

/// What happens to a synthesised utterance between espeak-ng and the WAV file, so recordings do not all
/// start on the first sample at one level in digital silence: espeak-ng's own leading and trailing
/// silence trimmed, a random level, a random pause before and after, optional white background noise at
/// a fixed signal-to-noise ratio. Every draw comes from the utterance's own stream.
package struct RecordingConditions: Sendable, Equatable {
    /// Signal-to-noise ratio of the added Gaussian white noise in dB, against the mean power of the
    /// trimmed speech; nil for none.
    package var noiseSNRDecibels: Double?
    /// The peak level is drawn uniformly from this range, in dB below full scale.
    package var peakDecibelsRange: ClosedRange<Double> = -14 ... -2
    /// Silence before and after the speech, each drawn uniformly from this range, in seconds.
    package var pauseSecondsRange: ClosedRange<Double> = 0.05...0.35
    /// Samples below this magnitude at either end count as espeak-ng's silence and are trimmed.
    package static let silenceThreshold: Float = 1e-3

    package init(noiseSNRDecibels: Double?) {
        self.noiseSNRDecibels = noiseSNRDecibels
    }

    /// `speech` (samples at `sampleRate`) as recorded: trimmed, scaled, padded, noise added.
    package func apply(to speech: [Float], sampleRate: Int, using stream: inout RandomStream) -> [Float] {
        let first = speech.firstIndex { abs($0) >= Self.silenceThreshold } ?? 0
        let last = speech.lastIndex { abs($0) >= Self.silenceThreshold } ?? (speech.count - 1)
        let margin = sampleRate / 100  // keep 10 ms around the speech: onsets and decays are quiet
        let kept = speech.isEmpty ? [] : Array(speech[max(0, first - margin)...min(speech.count - 1, last + margin)])

        let peak = kept.reduce(Float(0)) { max($0, abs($1)) }
        let level = draw(peakDecibelsRange, &stream)
        let gain = peak > 0 ? Float(pow(10, level / 20)) / peak : 0
        let before = Int(draw(pauseSecondsRange, &stream) * Double(sampleRate))
        let after = Int(draw(pauseSecondsRange, &stream) * Double(sampleRate))
        var out = [Float](repeating: 0, count: before + kept.count + after)
        var power = 0.0
        for (i, x) in kept.enumerated() {
            let y = x * gain
            out[before + i] = y
            power += Double(y) * Double(y)
        }
        if let snr = noiseSNRDecibels, !kept.isEmpty {
            let std = Float((power / Double(kept.count) / pow(10, snr / 10)).squareRoot())
            out.withUnsafeMutableBufferPointer { samples in Self.addNoise(samples, std: std, using: &stream) }
        }
        return out
    }

    /// Adds N(0, std²) to every sample: Box–Muller in `Float`, both values of each pair used, so a pair
    /// of samples costs two 24-bit uniforms, one log and one sine/cosine (Box & Muller 1958). Background
    /// noise needs no more precision, and this keeps it from costing more than espeak-ng itself.
    static func addNoise(_ samples: UnsafeMutableBufferPointer<Float>, std: Float, using stream: inout RandomStream) {
        var i = 0
        while i < samples.count {
            let u1 = 1 - stream.uniform()  // (0, 1]: the log is finite
            let angle = 2 * Float.pi * stream.uniform()
            let radius = std * (-2 * Foundation.log(u1)).squareRoot()
            samples[i] += radius * Foundation.cos(angle)
            if i + 1 < samples.count { samples[i + 1] += radius * Foundation.sin(angle) }
            i += 2
        }
    }

    private func draw(_ range: ClosedRange<Double>, _ stream: inout RandomStream) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * stream.uniformDouble()
    }
}
