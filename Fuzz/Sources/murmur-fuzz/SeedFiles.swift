import Federation
import Foundation
import Privacy

/// The seed inputs that are not files in the repository: WAV files and checkpoints, written by
/// `murmur-fuzz seeds <folder>` into Fuzz/Corpus (so the corpus can be remade by anyone).
enum SeedFiles {
    /// A sine tone as a canonical 44-byte-header PCM WAV file.
    static func wav(seconds: Double, sampleRate: Int, bitsPerSample: Int, channels: Int = 1, float: Bool = false) -> [UInt8] {
        let frames = Int(seconds * Double(sampleRate)), width = bitsPerSample / 8
        var body: [UInt8] = []
        for frame in 0..<frames {
            let value = 0.5 * sin(2 * Double.pi * 440 * Double(frame) / Double(sampleRate))
            for _ in 0..<channels {
                switch (float, bitsPerSample) {
                case (true, 32): body += littleEndian(UInt64(Float(value).bitPattern), bytes: 4)
                case (true, _): body += littleEndian(value.bitPattern, bytes: 8)
                case (false, 8): body.append(UInt8(128 + Int((value * 127).rounded())))
                default:
                    let scaled = Int64((value * Double(Int64(1) << (bitsPerSample - 1) - 1)).rounded())
                    body += littleEndian(UInt64(bitPattern: scaled), bytes: width)
                }
            }
        }
        var file = Array("RIFF".utf8) + littleEndian(UInt64(36 + body.count), bytes: 4) + Array("WAVEfmt ".utf8)
        file += littleEndian(16, bytes: 4) + littleEndian(float ? 3 : 1, bytes: 2) + littleEndian(UInt64(channels), bytes: 2)
        file += littleEndian(UInt64(sampleRate), bytes: 4) + littleEndian(UInt64(sampleRate * channels * width), bytes: 4)
        file += littleEndian(UInt64(channels * width), bytes: 2) + littleEndian(UInt64(bitsPerSample), bytes: 2)
        return file + Array("data".utf8) + littleEndian(UInt64(body.count), bytes: 4) + body
    }

    /// Small checkpoints: plain, and with every optional field (ledgers, clock, clip bound, run record).
    static func checkpoints() throws -> [String: [UInt8]] {
        let plain = TrainingCheckpoint(completedRounds: 3, parameters: [0.5, -1, 2, 0.25], serverOptimizerState: [:])
        var full = TrainingCheckpoint(completedRounds: 7, parameters: [1, 2, 3],
                                      serverOptimizerState: ["m": [0.1, 0.2, 0.3], "v": [0.01, 0.02, 0.03]])
        full.clipBound = 0.8
        full.simulatedSeconds = 3600.5
        let round = DPEvent.poissonSampled(probability: 0.01, event: .gaussian(noiseMultiplier: 1.1))
        full.privacyLedgers = PrivacyLedgers(accounted: [.selfComposed(event: round, count: 7)], asRun: nil)
        full.run = .init(scenario: #"{"name": "quickstart"}"#, metricsBytes: 812)
        return ["plain.ckpt": [UInt8](try plain.encoded()), "full.ckpt": [UInt8](try full.encoded())]
    }

    /// Writes the generated seeds of the wav, speakers and checkpoint harnesses under `corpus`.
    static func write(under corpus: String) throws {
        func put(_ bytes: [UInt8], _ harness: String, _ name: String) throws {
            let folder = corpus + "/" + harness
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
        }
        try put(wav(seconds: 0.01, sampleRate: 8_000, bitsPerSample: 8), "wav", "pcm8.wav")
        try put(wav(seconds: 0.01, sampleRate: 16_000, bitsPerSample: 16), "wav", "pcm16.wav")
        try put(wav(seconds: 0.005, sampleRate: 44_100, bitsPerSample: 24, channels: 2), "wav", "pcm24-stereo.wav")
        try put(wav(seconds: 0.005, sampleRate: 22_050, bitsPerSample: 32, float: true), "wav", "float32.wav")
        try put(wav(seconds: 0.005, sampleRate: 48_000, bitsPerSample: 64, float: true), "wav", "float64.wav")
        for (name, bytes) in try checkpoints() { try put(bytes, "checkpoint", name) }
    }

    private static func littleEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
        (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
