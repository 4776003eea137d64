import Foundation

/// Reads RIFF/WAVE files into mono `Float` samples: PCM 8 (unsigned), 16, 24 and 32-bit, IEEE float 32
/// and 64-bit, plain or `WAVE_FORMAT_EXTENSIBLE`, any sample rate from 1 kHz to 384 kHz, any channel
/// count up to 32 (downmixed by the mean of the channels).
///
/// Scaling follows the usual convention (libsndfile, SoX): integer PCM is divided by 2^(bits − 1), so
/// full scale maps to [−1, 1); 8-bit PCM is unsigned with 128 as zero. Chunks other than `fmt ` and
/// `data` (LIST, fact, cue) are skipped, with the pad byte after odd-sized chunks. Everything the reader
/// refuses is a `WAVError` naming the file. Format: Microsoft "Multimedia Programming Interface and
/// Data Specifications 1.0" (1991) and the WAVE_FORMAT_EXTENSIBLE note (2001).
package enum WAVReader {
    /// Channel counts and sample rates outside these are taken for a corrupt header.
    package static let channelRange = 1...32
    package static let sampleRateRange = 1_000...384_000

    /// Reads and decodes the file at `path`.
    package static func read(path: String) throws(WAVError) -> Waveform {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "\(error.localizedDescription)" : "no such file"
            throw .unreadable(path: path, reason: reason)
        }
        return try decode([UInt8](bytes), path: path)
    }

    /// Decodes WAV bytes; `path` names them in errors.
    package static func decode(_ bytes: [UInt8], path: String) throws(WAVError) -> Waveform {
        guard bytes.count >= 12, ascii(bytes, 0) == "RIFF", ascii(bytes, 8) == "WAVE" else {
            if bytes.count >= 4, bytes.count < 12, ascii(bytes, 0) == "RIFF" {
                throw .truncated(path: path, reason: "\(bytes.count) bytes, shorter than a RIFF header")
            }
            if bytes.count >= 4, ascii(bytes, 0) == "RF64" { throw .unsupported(path: path, format: "RF64 (64-bit RIFF)") }
            throw .notWAV(path: path, found: describeStart(bytes))
        }
        var offset = 12
        var format: Format?
        while offset + 8 <= bytes.count {
            let id = ascii(bytes, offset), size = Int(uint32(bytes, offset + 4))
            let body = offset + 8
            if id == "fmt " {
                guard body + size <= bytes.count else {
                    throw .truncated(path: path, reason: "the fmt chunk declares \(size) bytes, \(bytes.count - body) present")
                }
                format = try Format(bytes, at: body, size: size, path: path)
            } else if id == "data" {
                guard let format else { throw .badHeader(path: path, reason: "the data chunk comes before any fmt chunk") }
                let available = bytes.count - body
                guard size <= available else {
                    throw .truncated(path: path, reason: "the data chunk declares \(size) bytes, \(available) present")
                }
                guard size % format.blockAlign == 0 else {
                    throw .truncated(path: path,
                                     reason: "the data chunk's \(size) bytes are not whole frames of \(format.blockAlign) bytes")
                }
                return Waveform(samples: format.decodeMono(bytes, from: body, frames: size / format.blockAlign),
                                sampleRate: format.sampleRate)
            }
            offset = body + size + (size & 1)
        }
        throw format == nil
            ? .truncated(path: path, reason: "no fmt chunk before the end of the file")
            : .truncated(path: path, reason: "no data chunk before the end of the file")
    }

    /// The fields of a `fmt ` chunk the decoder needs, checked.
    private struct Format {
        enum Encoding { case pcm, float }
        var encoding: Encoding
        var channels: Int
        var sampleRate: Int
        var bitsPerSample: Int
        var blockAlign: Int

        init(_ bytes: [UInt8], at offset: Int, size: Int, path: String) throws(WAVError) {
            guard size >= 16 else { throw .badHeader(path: path, reason: "the fmt chunk has \(size) bytes, at least 16 needed") }
            var tag = Int(uint16(bytes, offset))
            channels = Int(uint16(bytes, offset + 2))
            sampleRate = Int(uint32(bytes, offset + 4))
            blockAlign = Int(uint16(bytes, offset + 12))
            bitsPerSample = Int(uint16(bytes, offset + 14))
            if tag == 0xFFFE {  // WAVE_FORMAT_EXTENSIBLE: the real tag opens the sub-format GUID.
                guard size >= 40 else {
                    throw .badHeader(path: path, reason: "an extensible fmt chunk has \(size) bytes, 40 needed")
                }
                tag = Int(uint16(bytes, offset + 24))
            }
            switch tag {
            case 1: encoding = .pcm
            case 3: encoding = .float
            default: throw .unsupported(path: path, format: Self.tagName(tag))
            }
            guard WAVReader.channelRange.contains(channels) else {
                throw .badHeader(path: path, reason: "\(channels) channels (allowed \(WAVReader.channelRange))")
            }
            guard WAVReader.sampleRateRange.contains(sampleRate) else {
                throw .badHeader(path: path, reason: "sample rate \(sampleRate) Hz (allowed 1000…384000)")
            }
            let widths = encoding == .pcm ? [8, 16, 24, 32] : [32, 64]
            guard widths.contains(bitsPerSample) else {
                throw .unsupported(path: path, format: "\(bitsPerSample)-bit \(encoding == .pcm ? "PCM" : "float")")
            }
            guard blockAlign == channels * bitsPerSample / 8 else {
                throw .badHeader(path: path, reason:
                    "block size \(blockAlign) bytes for \(channels) channels of \(bitsPerSample) bits (expected \(channels * bitsPerSample / 8))")
            }
        }

        static func tagName(_ tag: Int) -> String {
            switch tag {
            case 2: "Microsoft ADPCM"
            case 6: "A-law"
            case 7: "µ-law"
            case 0x11: "IMA ADPCM"
            case 0x55: "MP3"
            default: "format tag \(tag)"
            }
        }

        // bytes[from ..< from + frames·blockAlign], interleaved → [frames], the mean over channels
        func decodeMono(_ bytes: [UInt8], from start: Int, frames: Int) -> [Float] {
            var out = [Float](repeating: 0, count: frames)
            let width = bitsPerSample / 8, channelScale = 1 / Float(channels)
            bytes.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { o in
                    for frame in 0..<frames {
                        var sum: Float = 0
                        var p = start &+ frame &* blockAlign
                        for _ in 0..<channels {
                            sum += sample(b, p, width: width)
                            p &+= width
                        }
                        o[frame] = channels == 1 ? sum : sum * channelScale
                    }
                }
            }
            return out
        }

        @inline(__always)
        private func sample(_ b: UnsafeBufferPointer<UInt8>, _ p: Int, width: Int) -> Float {
            switch (encoding, width) {
            case (.pcm, 1): return (Float(b[p]) - 128) * 0x1p-7
            case (.pcm, 2): return Float(Int16(bitPattern: UInt16(b[p]) | UInt16(b[p + 1]) << 8)) * 0x1p-15
            case (.pcm, 3):
                let raw = UInt32(b[p]) << 8 | UInt32(b[p + 1]) << 16 | UInt32(b[p + 2]) << 24
                return Float(Int32(bitPattern: raw) >> 8) * 0x1p-23
            case (.pcm, _): return Float(Int32(bitPattern: WAVReader.uint32(b, p))) * 0x1p-31
            case (.float, 4): return Float(bitPattern: WAVReader.uint32(b, p))
            case (.float, _):
                let low = UInt64(WAVReader.uint32(b, p)), high = UInt64(WAVReader.uint32(b, p + 4))
                return Float(Double(bitPattern: high << 32 | low))
            }
        }
    }

    // Little-endian fields.
    private static func uint16(_ b: [UInt8], _ p: Int) -> UInt16 { UInt16(b[p]) | UInt16(b[p + 1]) << 8 }
    private static func uint32(_ b: [UInt8], _ p: Int) -> UInt32 {
        b.withUnsafeBufferPointer { uint32($0, p) }
    }
    private static func uint32(_ b: UnsafeBufferPointer<UInt8>, _ p: Int) -> UInt32 {
        UInt32(b[p]) | UInt32(b[p + 1]) << 8 | UInt32(b[p + 2]) << 16 | UInt32(b[p + 3]) << 24
    }
    private static func ascii(_ b: [UInt8], _ p: Int) -> String {
        String(decoding: b[p..<p + 4], as: UTF8.self)
    }

    /// The first bytes of a file that is not WAV, quoted if they are printable.
    private static func describeStart(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "an empty file" }
        let head = bytes.prefix(4)
        if head.allSatisfy({ (0x20...0x7E).contains($0) }) { return "\"\(String(decoding: head, as: UTF8.self))\"" }
        return head.map { String(format: "%02x", $0) }.joined(separator: " ")
    }
}
