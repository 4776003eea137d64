import Foundation
import Synchronization

/// Makes a synthetic speech corpus on disk from a `SpeechCorpusPlan`: every utterance spoken by
/// espeak-ng, resampled from 22 050 Hz to 16 kHz, put through the recording conditions and written as
/// 16-bit PCM WAV; then each split's `speakers.jsonl`, `vocabulary.txt` and `corpus.json`.
///
/// Layout of `folder`: `train/speakers.jsonl` + `train/s0001/0001.wav`…, `validation/speakers.jsonl` +
/// `validation/h0001/0001.wav`… (the held-out speakers; none is in both), `vocabulary.txt` (the
/// grammar's words, one a line) and `corpus.json` (the summary). Utterances are synthesised on
/// `threads` threads, each taking the next batch of a speaker's sentences from a shared counter; each
/// utterance depends only on the plan, its batch and its own stream, so the files are byte-identical
/// for any thread count. Every file is written under a temporary name and renamed; the `speakers.jsonl` files come last, so a
/// folder interrupted part-way is never mistaken for a corpus.
package struct SpeechCorpusSynthesizer: Sendable {
    package let plan: SpeechCorpusPlan
    package let espeak: EspeakSynthesizer
    /// espeak-ng writes 22 050 Hz; the corpus is at the speech task's rate.
    private let resampler = Resampler(from: 22_050, to: SpeakerFolder.sampleRate)

    package init(plan: SpeechCorpusPlan, espeak: EspeakSynthesizer) {
        self.plan = plan
        self.espeak = espeak
    }

    /// Writes the corpus into `folder` and returns its summary (also written as `corpus.json`).
    ///
    /// - Parameters:
    ///   - force: replace the corpus files (`train/`, `validation/`, `corpus.json`, `vocabulary.txt`) of a
    ///     folder that is not empty; without it such a folder is refused.
    ///   - threads: how many utterances are synthesised at once.
    /// - Throws: `SpeechCorpusError` naming the file or the espeak-ng call that failed.
    @discardableResult
    package func write(to folder: String, force: Bool = false, threads: Int) throws(SpeechCorpusError) -> SpeechCorpusSummary {
        precondition(threads >= 1, "SpeechCorpusSynthesizer: threads ≥ 1")
        let root = URL(fileURLWithPath: folder)
        try prepare(root, force: force)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-synth-asr-\(UUID().uuidString)")
        try makeDirectory(scratch)
        defer { try? FileManager.default.removeItem(at: scratch) }
        for speaker in plan.speakers {
            try makeDirectory(root.appendingPathComponent(speaker.split.rawValue).appendingPathComponent(speaker.name))
        }

        // Every speaker's sentences in batches of at most `batchSize`, one espeak-ng process each, speakers
        // in plan order; a batch's sample counts land in its own slots.
        let jobs = plan.speakers.indices.flatMap { s in
            let count = plan.speakers[s].sentences.count
            return stride(from: 0, to: count, by: Self.batchSize).map { (speaker: s, utterances: $0..<min($0 + Self.batchSize, count)) }
        }
        let sampleCounts = Mutex(plan.speakers.map { [Int](repeating: 0, count: $0.sentences.count) })
        let failure = Mutex<(job: Int, error: SpeechCorpusError)?>(nil)
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(threads, max(jobs.count, 1))) { worker in
            let scratchWAV = scratch.appendingPathComponent("espeak-\(worker).wav").path
            while true {
                let job = next.add(1, ordering: .relaxed).oldValue
                guard job < jobs.count, failure.withLock({ $0 == nil }) else { return }
                let (s, utterances) = jobs[job]
                do throws(SpeechCorpusError) {
                    let counts = try render(speaker: plan.speakers[s], utterances: utterances, root: root, scratchWAV: scratchWAV)
                    sampleCounts.withLock { $0[s].replaceSubrange(utterances, with: counts) }
                } catch {
                    failure.withLock { if $0 == nil || job < $0!.job { $0 = (job, error) } }
                }
            }
        }
        if let failed = failure.withLock({ $0 }) { throw failed.error }

        let perSpeaker = sampleCounts.withLock { $0 }
        let summary = SpeechCorpusSummary(plan: plan, sampleCounts: perSpeaker, espeakVersion: try espeak.version())
        try writeText(plan.grammar.vocabulary.joined(separator: "\n") + "\n", to: root.appendingPathComponent("vocabulary.txt"))
        try writeText(summary.json, to: root.appendingPathComponent("corpus.json"))
        for split in SpeechCorpusPlan.Split.allCases.reversed() {
            let lines = plan.speakers.filter { $0.split == split }.map(Self.speakerLine)
            let directory = root.appendingPathComponent(split.rawValue)
            try makeDirectory(directory)
            try writeText(lines.map { $0 + "\n" }.joined(), to: directory.appendingPathComponent("speakers.jsonl"))
        }
        return summary
    }

    /// Sentences spoken per espeak-ng process.
    package static let batchSize = 12

    /// Some utterances of a speaker: spoken, resampled, recorded, written; returns their lengths in 16 kHz samples.
    private func render(speaker: SpeechCorpusPlan.PlannedSpeaker, utterances: Range<Int>, root: URL,
                        scratchWAV: String) throws(SpeechCorpusError) -> [Int] {
        let spoken = try espeak.speak(Array(speaker.sentences[utterances]), voice: speaker.voice, to: scratchWAV)
        var counts: [Int] = []
        for (u, wave) in zip(utterances, spoken) {
            guard wave.sampleRate == resampler.inputRate else {
                throw .espeakFailed(command: "espeak-ng \(speaker.voice.arguments.joined(separator: " "))",
                                    reason: "wrote \(wave.sampleRate) Hz audio; expected \(resampler.inputRate) Hz")
            }
            var stream = plan.recordingStream(speaker: speaker, utterance: u)
            let recorded = plan.options.recording.apply(to: resampler.resample(wave.samples), sampleRate: resampler.outputRate,
                                                        using: &stream)
            let path = root.appendingPathComponent(speaker.split.rawValue)
                .appendingPathComponent(SpeechCorpusPlan.audioPath(speaker: speaker.name, utterance: u)).path
            try WAVWriter.write(WAVWriter.quantise(recorded), sampleRate: resampler.outputRate, to: path)
            counts.append(recorded.count)
        }
        return counts
    }

    /// The speaker's `speakers.jsonl` line (keys in a fixed order; transcripts need no escaping beyond
    /// quotes, since they are a–z, space, apostrophe and hyphen).
    static func speakerLine(_ speaker: SpeechCorpusPlan.PlannedSpeaker) -> String {
        let utterances = speaker.sentences.indices.map { u in
            "{\"audio\": \"\(SpeechCorpusPlan.audioPath(speaker: speaker.name, utterance: u))\", \"text\": \"\(speaker.sentences[u])\"}"
        }
        return "{\"speaker\": \"\(speaker.name)\", \"utterances\": [" + utterances.joined(separator: ", ") + "]}"
    }

    // Refuses a non-empty folder unless `force`, in which case only the corpus's own files are removed.
    private func prepare(_ root: URL, force: Bool) throws(SpeechCorpusError) {
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        if !existing.isEmpty {
            guard force else { throw .outputNotEmpty(path: root.path) }
            for name in ["train", "validation", "corpus.json", "vocabulary.txt"] where existing.contains(name) {
                do {
                    try FileManager.default.removeItem(at: root.appendingPathComponent(name))
                } catch {
                    throw .writeFailed(path: root.appendingPathComponent(name).path, reason: error.localizedDescription)
                }
            }
        }
        try makeDirectory(root)
    }

    private func makeDirectory(_ url: URL) throws(SpeechCorpusError) {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }

    private func writeText(_ text: String, to url: URL) throws(SpeechCorpusError) {
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw .writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }
}
