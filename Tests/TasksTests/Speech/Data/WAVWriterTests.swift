import Foundation
import Tasks
import Testing

@Suite struct WAVWriterTests {
    @Test func writtenFilesReadBackThroughTheReader() throws {
        let samples: [Float] = (0..<1601).map { Float(0.9 * sin(Double($0) * 0.01)) }
        let bytes = WAVWriter.encode(WAVWriter.quantise(samples), sampleRate: 16_000)
        #expect(bytes.count == 44 + 2 * samples.count)
        #expect(Array(bytes[0..<4]) == Array("RIFF".utf8) && Array(bytes[36..<40]) == Array("data".utf8))
        let wave = try WAVReader.decode(bytes, path: "test.wav")
        #expect(wave.sampleRate == 16_000 && wave.samples.count == samples.count)
        // The reader divides by 32768 and the writer scales by 32767: the round trip is within one step.
        for (x, y) in zip(samples, wave.samples) { #expect(abs(x - y) <= 1.5 / 32768) }
    }

    @Test func quantisationRoundsAndClips() {
        #expect(WAVWriter.quantise([0, 0.5, -0.5, 1, -1, 1.5, -1.5, 0.4 / 32767, 0.6 / 32767])
            == [0, 16384, -16384, 32767, -32767, 32767, -32768, 0, 1])
    }

    @Test func writeIsAtomicAndLeavesNoTemporaryFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-wavwriter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("a.wav").path
        try WAVWriter.write([1, -1, 300], sampleRate: 8_000, to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["a.wav"])
        #expect(try WAVReader.read(path: path).samples == [1, -1, 300].map { Float($0) / 32768 })
    }
}
