import Foundation

/// Runs espeak-ng to speak one sentence in one voice and reads back its WAV (22 050 Hz, 16-bit mono).
///
/// Each call starts one `espeak-ng -v … -p … -s … -w FILE -- TEXT` process through Foundation's
/// `Process` and waits for it; calls from several threads run side by side. espeak-ng is deterministic:
/// the same arguments give byte-identical WAVs (checked in the tests), which is what makes the corpus
/// reproducible from its seed — on one espeak-ng version; other versions may pronounce differently.
package struct EspeakSynthesizer: Sendable {
    /// The espeak-ng executable.
    package let executable: String

    /// Finds espeak-ng on the environment's `PATH` (/usr/bin:/bin when it has none).
    /// - Throws: `SpeechCorpusError.espeakMissing` when it is nowhere.
    package init(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SpeechCorpusError) {
        let directories = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        guard let found = directories.map({ $0 + "/espeak-ng" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { throw .espeakMissing }
        executable = found
    }

    /// The first line of `espeak-ng --version`, recorded in corpus.json (audio differs across versions).
    package func version() throws(SpeechCorpusError) -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-espeak-version-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        try run(["--version"], stdout: output, what: "--version")
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first.map { $0.components(separatedBy: " Data at").first!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    /// `text` spoken in `voice`, written to the WAV file `path` (overwritten), then read.
    package func speak(_ text: String, voice: EspeakVoice, to path: String) throws(SpeechCorpusError) -> Waveform {
        try run(voice.arguments + ["-w", path, "--", text], stdout: nil, what: describe(voice, text))
        do {
            return try WAVReader.read(path: path)
        } catch {
            throw .espeakFailed(command: "espeak-ng " + describe(voice, text), reason: error.reason)
        }
    }

    /// The pause espeak-ng is told to leave between the sentences of one call, and the shortest silence
    /// that is taken for it when the audio is cut apart (espeak-ng's pauses inside a sentence of the
    /// grammar stay under 0.2 s even at 130 words per minute; the break comes out as ≈ 1.4 s).
    package static let breakMilliseconds = 1500
    package static let splitSilenceSeconds = 0.7

    /// Each of `sentences` spoken in `voice`, from one espeak-ng process: the sentences as SSML with a
    /// long break between them, the audio cut at the breaks. Starting espeak-ng (loading its voice and
    /// phoneme tables) costs 2–3 times as much as speaking a short sentence, so a batch is ≈ 3× faster
    /// than one process a sentence. Should the cut find a different number of pieces than sentences,
    /// the batch is spoken again one sentence a process — also deterministic, just slower.
    package func speak(_ sentences: [String], voice: EspeakVoice, to path: String) throws(SpeechCorpusError) -> [Waveform] {
        if sentences.count > 1, let pieces = try speakBatch(sentences, voice: voice, to: path) { return pieces }
        return try sentences.map { (text) throws(SpeechCorpusError) in try speak(text, voice: voice, to: path) }
    }

    /// `sentences` spoken by one espeak-ng process and cut at the breaks; nil if the cut does not give
    /// exactly one piece a sentence.
    package func speakBatch(_ sentences: [String], voice: EspeakVoice, to path: String) throws(SpeechCorpusError) -> [Waveform]? {
        let breakTag = "<break time=\"\(Self.breakMilliseconds)ms\"/>"
        let ssml = "<speak>" + sentences.joined(separator: breakTag) + "</speak>"
        let what = describe(voice, sentences.joined(separator: " | "))
        try run(["-m"] + voice.arguments + ["-w", path, "--", ssml], stdout: nil, what: what)
        let whole: Waveform
        do {
            whole = try WAVReader.read(path: path)
        } catch {
            throw .espeakFailed(command: "espeak-ng " + what, reason: error.reason)
        }
        let pieces = Self.split(whole, minimumSilenceSeconds: Self.splitSilenceSeconds)
        return pieces.count == sentences.count ? pieces : nil
    }

    /// The sounding stretches of `wave` that silences (every sample below `RecordingConditions`'
    /// threshold) of at least `minimumSilenceSeconds` separate, each with up to 50 ms of its silence on
    /// either side.
    package static func split(_ wave: Waveform, minimumSilenceSeconds: Double) -> [Waveform] {
        let threshold = RecordingConditions.silenceThreshold, samples = wave.samples
        let minimumGap = Int(minimumSilenceSeconds * Double(wave.sampleRate)), context = wave.sampleRate / 20
        var pieces: [Waveform] = []
        var start: Int?, lastLoud = -1
        for (i, x) in samples.enumerated() where abs(x) >= threshold {
            if let begin = start, i - lastLoud > minimumGap {
                pieces.append(Waveform(samples: Array(samples[max(0, begin - context)...min(samples.count - 1, lastLoud + context)]),
                                       sampleRate: wave.sampleRate))
                start = i
            } else if start == nil {
                start = i
            }
            lastLoud = i
        }
        if let begin = start {
            pieces.append(Waveform(samples: Array(samples[max(0, begin - context)...min(samples.count - 1, lastLoud + context)]),
                                   sampleRate: wave.sampleRate))
        }
        return pieces
    }

    private func describe(_ voice: EspeakVoice, _ text: String) -> String {
        voice.arguments.joined(separator: " ") + " \"" + text + "\""
    }

    // Runs espeak-ng with `arguments`, its standard output to `stdout` (or nowhere); a non-zero exit is
    // an error carrying the first line espeak-ng wrote to standard error (a pipe: it writes one line).
    private func run(_ arguments: [String], stdout: URL?, what: String) throws(SpeechCorpusError) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let errors = Pipe()
        do {
            process.standardError = errors
            if let stdout {
                _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
                process.standardOutput = try FileHandle(forWritingTo: stdout)
            } else {
                process.standardOutput = FileHandle.nullDevice
            }
            process.standardInput = FileHandle.nullDevice
            try process.run()
        } catch {
            throw .espeakFailed(command: "espeak-ng \(what)", reason: "could not start \(executable): \(error.localizedDescription)")
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let line = message.split(separator: "\n").first.map { ": " + $0 } ?? ""
            throw .espeakFailed(command: "espeak-ng \(what)", reason: "exit status \(process.terminationStatus)" + line)
        }
    }
}
