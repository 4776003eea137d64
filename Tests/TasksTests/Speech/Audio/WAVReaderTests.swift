import Foundation
import Tasks
import Testing

/// WAV bytes written field by field from the format description, independently of the reader.
struct WAVBytes {
    enum Sample { case pcm8, pcm16, pcm24, pcm32, float32, float64 }

    static func make(_ kind: Sample, sampleRate: Int = 16_000, channels: Int = 1, frames: [[Double]],
                     extensible: Bool = false, extraChunk: Bool = false) -> [UInt8] {
        let bits = [.pcm8: 8, .pcm16: 16, .pcm24: 24, .pcm32: 32, .float32: 32, .float64: 64][kind]!
        let tag: UInt16 = (kind == .float32 || kind == .float64) ? 3 : 1
        var data: [UInt8] = []
        for frame in frames {
            precondition(frame.count == channels)
            for value in frame {
                switch kind {
                case .pcm8: data.append(UInt8(Int((value * 128).rounded()) + 128))
                case .pcm16: data += le(UInt32(bitPattern: Int32(Int16((value * 32768).rounded()))), 2)
                case .pcm24: data += le(UInt32(bitPattern: Int32((value * 8_388_608).rounded())), 3)
                case .pcm32: data += le(UInt32(bitPattern: Int32(clamping: Int64((value * 2_147_483_648).rounded()))), 4)
                case .float32: data += le(Float(value).bitPattern, 4)
                case .float64:
                    let pattern = value.bitPattern
                    data += le(UInt32(truncatingIfNeeded: pattern), 4) + le(UInt32(pattern >> 32), 4)
                }
            }
        }
        var fmt = le(UInt32(extensible ? 0xFFFE : tag), 2) + le(UInt32(channels), 2) + le(UInt32(sampleRate), 4)
        fmt += le(UInt32(sampleRate * channels * bits / 8), 4) + le(UInt32(channels * bits / 8), 2) + le(UInt32(bits), 2)
        if extensible {
            fmt += le(22, 2) + le(UInt32(bits), 2) + le(0, 4) + le(UInt32(tag), 2)
            fmt += [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71]
        }
        var body = Array("WAVE".utf8) + chunk("fmt ", fmt)
        if extraChunk { body += chunk("LIST", Array("INFOISFT".utf8) + [0x41]) }  // odd size: one pad byte
        body += chunk("data", data)
        return Array("RIFF".utf8) + le(UInt32(body.count), 4) + body
    }

    static func chunk(_ id: String, _ body: [UInt8]) -> [UInt8] {
        Array(id.utf8) + le(UInt32(body.count), 4) + body + (body.count % 2 == 1 ? [0] : [])
    }

    static func le(_ value: UInt32, _ bytes: Int) -> [UInt8] { (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
}

@Suite struct WAVReaderTests {
    static let values: [Double] = [0, 0.5, -0.5, 0.25, -1, 0.75]

    /// Each encoding decodes to the values written, within half a step of its quantisation.
    @Test(arguments: [(WAVBytes.Sample.pcm8, 1.0 / 128), (.pcm16, 1.0 / 32768), (.pcm24, 1.0 / 8_388_608),
                      (.pcm32, 1e-7), (.float32, 1e-7), (.float64, 1e-7)])
    func decodesEveryEncoding(kind: WAVBytes.Sample, step: Double) throws {
        for extensible in [false, true] {
            let bytes = WAVBytes.make(kind, sampleRate: 22_050, frames: Self.values.map { [$0] }, extensible: extensible)
            let wave = try WAVReader.decode(bytes, path: "a.wav")
            #expect(wave.sampleRate == 22_050)
            #expect(wave.samples.count == Self.values.count)
            for (got, want) in zip(wave.samples, Self.values) { #expect(abs(Double(got) - want) <= step / 2 + 1e-9) }
        }
    }

    @Test func multiChannelIsDownmixedByTheMean() throws {
        let frames: [[Double]] = [[0.5, -0.5], [0.25, 0.75], [-1, 0]]
        let stereo = try WAVReader.decode(WAVBytes.make(.pcm16, sampleRate: 48_000, channels: 2, frames: frames), path: "s.wav")
        #expect(stereo.samples == [0, 0.5, -0.5])
        let six = try WAVReader.decode(WAVBytes.make(.pcm24, channels: 6, frames: [[0.5, 0.5, 0.5, 0.5, 0.5, -0.5]]),
                                       path: "51.wav")
        #expect(abs(six.samples[0] - Float(2.0 / 6)) < 1e-6)
    }

    @Test func otherChunksAreSkippedWithTheirPadByte() throws {
        let wave = try WAVReader.decode(WAVBytes.make(.pcm16, sampleRate: 8_000, frames: [[0.5], [-0.25]], extraChunk: true),
                                        path: "l.wav")
        #expect(wave.samples == [0.5, -0.25] && wave.sampleRate == 8_000)
    }

    /// A file on disk round-trips; a missing one names its path.
    @Test func readsFilesAndNamesMissingOnes() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-wav-\(UUID().uuidString).wav").path
        try Data(WAVBytes.make(.pcm16, frames: [[0.5]])).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try WAVReader.read(path: path).samples == [0.5])
        #expect(throws: WAVError.unreadable(path: "/no/such.wav", reason: "no such file")) {
            try WAVReader.read(path: "/no/such.wav")
        }
    }

    struct BadCase: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var message: String
        var testDescription: String { name }
    }

    static let good = WAVBytes.make(.pcm16, frames: [[0.5], [0.25], [0.125], [0]])

    /// A copy of `good` with the little-endian field at `offset` replaced.
    static func patched(_ offset: Int, _ value: UInt32, _ width: Int) -> [UInt8] {
        var bytes = good
        bytes.replaceSubrange(offset..<offset + width, with: WAVBytes.le(value, width))
        return bytes
    }

    static let badCases: [BadCase] = [
        BadCase(name: "flac", bytes: Array("fLaC\u{0}\u{0}\u{0}\u{22}xxxxxxxx".utf8),
                message: "x.wav: not a WAV file (expected \"RIFF\"…\"WAVE\", found \"fLaC\"); convert it to PCM WAV"),
        BadCase(name: "binary", bytes: [0xFF, 0xFB, 0x90, 0x00, 0, 0, 0, 0, 0, 0, 0, 0],
                message: "x.wav: not a WAV file (expected \"RIFF\"…\"WAVE\", found ff fb 90 00); convert it to PCM WAV"),
        BadCase(name: "empty", bytes: [],
                message: "x.wav: not a WAV file (expected \"RIFF\"…\"WAVE\", found an empty file); convert it to PCM WAV"),
        BadCase(name: "truncated data", bytes: Array(good.dropLast(3)),
                message: "x.wav: truncated WAV file: the data chunk declares 8 bytes, 5 present"),
        BadCase(name: "truncated header", bytes: Array(good.prefix(8)),
                message: "x.wav: truncated WAV file: 8 bytes, shorter than a RIFF header"),
        BadCase(name: "cut inside fmt", bytes: Array(good.prefix(30)),
                message: "x.wav: truncated WAV file: the fmt chunk declares 16 bytes, 10 present"),
        BadCase(name: "no data", bytes: Array(good.prefix(36)),
                message: "x.wav: truncated WAV file: no data chunk before the end of the file"),
        BadCase(name: "zero channels", bytes: patched(22, 0, 2),
                message: "x.wav: bad WAV header: 0 channels (allowed 1...32)"),
        BadCase(name: "absurd channels", bytes: patched(22, 40_000, 2),
                message: "x.wav: bad WAV header: 40000 channels (allowed 1...32)"),
        BadCase(name: "absurd rate", bytes: patched(24, 4_000_000_000, 4),
                message: "x.wav: bad WAV header: sample rate 4000000000 Hz (allowed 1000…384000)"),
        BadCase(name: "block size", bytes: patched(32, 7, 2),
                message: "x.wav: bad WAV header: block size 7 bytes for 1 channels of 16 bits (expected 2)"),
        BadCase(name: "12-bit", bytes: patched(34, 12, 2),
                message: "x.wav: unsupported WAV encoding: 12-bit PCM; use PCM 8/16/24/32-bit or 32-bit float"),
        BadCase(name: "ADPCM", bytes: patched(20, 2, 2),
                message: "x.wav: unsupported WAV encoding: Microsoft ADPCM; use PCM 8/16/24/32-bit or 32-bit float"),
        BadCase(name: "partial frame", bytes: patched(40, 7, 4),
                message: "x.wav: truncated WAV file: the data chunk's 7 bytes are not whole frames of 2 bytes"),
    ]

    @Test(arguments: badCases)
    func refusesBadFilesInOneLineNamingThem(_ bad: BadCase) {
        do {
            let wave = try WAVReader.decode(bad.bytes, path: "x.wav")
            Issue.record("decoded \(wave.samples.count) samples")
        } catch {
            #expect(error.description == bad.message)
            #expect(!error.description.contains("\n"))
        }
    }
}
