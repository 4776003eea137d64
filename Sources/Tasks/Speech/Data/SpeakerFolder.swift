import Federation
import Foundation
import Synchronization

/// A federated speech folder read lazily: `speakers.jsonl`, one speaker a line,
/// `{"speaker": "s01", "utterances": [{"audio": "s01/0001.wav", "text": "turn on the light"}]}`, with
/// audio paths relative to the folder.
///
/// Opening the folder indexes `speakers.jsonl` by where each line starts (`JSONLLineIndex`, one
/// streaming pass, cached beside the file for large ones); a speaker's line is read and parsed, its
/// transcripts encoded and its WAV files read and resampled to 16 kHz only when that speaker is asked
/// for (a sampled client), so a folder of hours of audio costs its index in memory. Every
/// problem is one `DataError` naming `speakers.jsonl` and the line, and for audio the utterance and the
/// WAV file's own complaint; `validateAll()` loads every speaker (`murmur data check`).
package final class SpeakerFolder: Population {
    /// The rate every utterance is resampled to.
    package static let sampleRate = 16_000

    package let folder: String
    package let speakersPath: String
    package let alphabet: Alphabet
    private let lines: JSONLLineIndex
    private let resamplers = Mutex<[Int: Resampler]>([:])

    package var userCount: Int { lines.count }
    package var origin: String { speakersPath }

    /// Opens and indexes the folder at `path`.
    package init(path: String, alphabet: Alphabet = .english) throws(DataError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missingFile(path: path, expected: "a folder with speakers.jsonl and its audio")
        }
        folder = path
        self.alphabet = alphabet
        speakersPath = URL(fileURLWithPath: path).appendingPathComponent("speakers.jsonl").path
        lines = try JSONLLineIndex(path: speakersPath, missing: "speakers.jsonl, one speaker a line")
        if lines.count == 0 { throw .corruptLine(path: speakersPath, line: 1, reason: "the file has no speakers") }
    }

    package func user(at index: Int) throws(DataError) -> Speaker {
        precondition(index >= 0 && index < userCount, "speaker index \(index) out of 0..<\(userCount)")
        let line = lines.lineNumber(index)
        func corrupt(_ reason: String) -> DataError { .corruptLine(path: speakersPath, line: line, reason: reason) }
        guard let object = (try? JSONSerialization.jsonObject(with: try lines.line(index))) as? [String: Any] else {
            throw corrupt("not a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !["speaker", "utterances"].contains($0) }) {
            throw corrupt("unknown key \"\(unknown)\"; allowed: speaker, utterances")
        }
        guard let name = object["speaker"] as? String, !name.isEmpty else { throw corrupt("missing \"speaker\" (a non-empty string)") }
        guard let entries = object["utterances"] as? [Any] else {
            throw corrupt("missing \"utterances\" (a list of {\"audio\": path, \"text\": transcript})")
        }
        if entries.isEmpty { throw corrupt("speaker \"\(name)\" has no utterances") }
        var utterances: [Utterance] = []
        utterances.reserveCapacity(entries.count)
        for (number, entry) in zip(1..., entries) {
            func bad(_ reason: String) -> DataError { corrupt("utterance \(number): \(reason)") }
            guard let fields = entry as? [String: Any] else { throw bad("not an object {\"audio\": path, \"text\": transcript}") }
            if let unknown = fields.keys.sorted().first(where: { !["audio", "text"].contains($0) }) {
                throw bad("unknown key \"\(unknown)\"; allowed: audio, text")
            }
            guard let audio = fields["audio"] as? String, !audio.isEmpty else { throw bad("missing \"audio\" (a path)") }
            guard let transcript = fields["text"] as? String else { throw bad("missing \"text\" (a string)") }
            guard !audio.hasPrefix("/") else { throw bad("audio path \"\(audio)\" is absolute; paths are relative to the folder") }
            let labels: [Int32]
            do {
                labels = try alphabet.encode(transcript)
            } catch {
                throw bad("text has \"\(error.character)\" at character \(error.offset + 1), which is not in the alphabet "
                    + "(a–z, space, apostrophe, hyphen); spell numbers and symbols out")
            }
            let audioPath = URL(fileURLWithPath: folder).appendingPathComponent(audio).path
            let wave: Waveform
            do {
                wave = try WAVReader.read(path: audioPath)
            } catch {
                throw bad("\(audio): \(error.reason)")
            }
            utterances.append(Utterance(audio: audio, text: Alphabet.normalise(transcript), labels: labels,
                                        waveform: resampler(from: wave.sampleRate).resample(wave)))
        }
        return Speaker(name: name, utterances: utterances)
    }

    /// Loads every speaker once, so a bad line or file anywhere is reported now rather than when sampled.
    package func validateAll() throws(DataError) -> (speakers: Int, utterances: Int, seconds: Double) {
        var utterances = 0, seconds = 0.0
        for index in 0..<userCount {
            let speaker = try user(at: index)
            utterances += speaker.utterances.count
            seconds += speaker.utterances.reduce(0) { $0 + $1.waveform.seconds }
        }
        return (userCount, utterances, seconds)
    }

    /// One resampler per input rate, built on first use (its filter table costs more than a short clip).
    private func resampler(from rate: Int) -> Resampler {
        if let cached = resamplers.withLock({ $0[rate] }) { return cached }
        let made = Resampler(from: rate, to: Self.sampleRate)
        resamplers.withLock { $0[rate] = made }
        return made
    }
}
