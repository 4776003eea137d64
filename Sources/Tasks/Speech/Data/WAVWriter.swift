import Foundation

/// Encodes mono 16-bit PCM WAV files, the format the synthetic speech corpus is written in (and the
/// simplest one every tool reads). Format: Microsoft "Multimedia Programming Interface and Data
/// Specifications 1.0" (1991): a 44-byte RIFF header (`fmt ` chunk of 16 bytes, PCM tag 1), then the
/// little-endian samples.
package enum WAVWriter {
    /// The bytes of a WAV file holding `samples` at `sampleRate`.
    package static func encode(_ samples: [Int16], sampleRate: Int) -> [UInt8] {
        precondition(sampleRate > 0, "WAVWriter: sample rate \(sampleRate)")
        let dataBytes = samples.count * 2
        var bytes: [UInt8] = []
        bytes.reserveCapacity(44 + dataBytes)
        func append32(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { bytes += $0 } }
        func append16(_ value: Int) { withUnsafeBytes(of: UInt16(value).littleEndian) { bytes += $0 } }
        bytes += Array("RIFF".utf8); append32(36 + dataBytes); bytes += Array("WAVE".utf8)
        bytes += Array("fmt ".utf8); append32(16)
        append16(1)  // PCM
        append16(1)  // mono
        append32(sampleRate); append32(sampleRate * 2)  // byte rate
        append16(2); append16(16)  // block align, bits per sample
        bytes += Array("data".utf8); append32(dataBytes)
        samples.map(\.littleEndian).withUnsafeBytes { bytes += $0 }
        return bytes
    }

    /// Samples in [−1, 1] as 16-bit PCM: scaled by 32767, rounded to nearest, clipped at full scale.
    package static func quantise(_ samples: [Float]) -> [Int16] {
        samples.map { Int16(max(-32768, min(32767, ($0 * 32767).rounded()))) }
    }

    /// Writes `samples` to `path` under a temporary name and renames it, so a crash never leaves half a file.
    package static func write(_ samples: [Int16], sampleRate: Int, to path: String) throws(SpeechCorpusError) {
        do {
            try Data(encode(samples, sampleRate: sampleRate)).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw .writeFailed(path: path, reason: error.localizedDescription)
        }
    }
}
