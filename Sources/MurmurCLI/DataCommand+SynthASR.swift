import Foundation
import Tasks

/// `murmur data synth-asr`: a synthetic federated speech corpus spoken by espeak-ng (docs/speech-corpus.md).
let synthASRCommand: Command = {
    var command = Command(
        name: "synth-asr",
        summary: """
            Write a synthetic federated speech corpus spoken by espeak-ng: DIR/train and DIR/validation speaker \
            folders (speakers.jsonl + 16 kHz 16-bit WAVs), vocabulary.txt and corpus.json. Sentences of 1–10 \
            words from a grammar of assistant commands, spelled-out numbers, names and short phrases; each \
            speaker a fixed accent × variant × pitch × rate, the held-out speakers in accent × variant pairs \
            no training speaker has; heavy-tailed utterances per speaker. Deterministic in --seed for any \
            --threads. Needs espeak-ng (apt-get install espeak-ng).
            """)
    command.signature.options = [
        .init(name: "speakers", valueName: "N", help: "training speakers (DIR/train)", defaultValue: "200"),
        .init(name: "held-out", valueName: "M", help: "held-out speakers, in addition (DIR/validation)", defaultValue: "20"),
        .init(name: "seed", valueName: "S", help: "seed of voices, sentences, levels, pauses and noise", defaultValue: "0"),
        .init(name: "utterances-per-speaker", valueName: "K",
              help: "median utterances per speaker (log-normal, σ 0.8 in log space, at least 3)", defaultValue: "12"),
        .init(name: "noise", valueName: "SNR_DB|none", help: "white background noise at this signal-to-noise ratio in dB",
              defaultValue: "30"),
        .init(name: "vocabulary", valueName: "small|full", help: "grammar word lists: small (319 words) or full (447)",
              defaultValue: "small"),
        .init(name: "threads", valueName: "T", help: "espeak-ng processes at once (the corpus does not depend on it)",
              defaultValue: String(ProcessInfo.processInfo.activeProcessorCount)),
        .init(name: "out", valueName: "DIR", help: "the folder to write (required; refused if not empty)", defaultValue: nil),
    ]
    command.signature.flags = [.init(name: "force", help: "replace the corpus in a non-empty --out")]
    command.action = { arguments, console in
        let name = "data synth-asr"
        func integer(_ option: String, _ range: ClosedRange<Int>) throws -> Int {
            try parsePositiveInteger(arguments.value(option)!, option: option, command: name, range: range)
        }
        guard let out = arguments.value("out") else {
            throw CommandLineError.missingOption(command: name, option: "--out", valueName: "DIR", help: "the folder to write",
                                                 example: "data/speech")
        }
        guard let seed = UInt64(arguments.value("seed")!) else {
            throw CommandLineError.invalidValue(command: name, option: "--seed", value: arguments.value("seed")!,
                                                allowed: "a non-negative integer")
        }
        let noiseText = arguments.value("noise")!
        var noise: Double?
        if noiseText != "none" {
            guard let snr = Double(noiseText), (-10...100).contains(snr) else {
                throw CommandLineError.invalidValue(command: name, option: "--noise", value: noiseText,
                                                    allowed: "a signal-to-noise ratio in dB within -10...100, or none")
            }
            noise = snr
        }
        guard let vocabulary = SentenceGrammar.Size(rawValue: arguments.value("vocabulary")!) else {
            throw CommandLineError.invalidValue(command: name, option: "--vocabulary", value: arguments.value("vocabulary")!,
                                                allowed: "small, full")
        }
        let options = SpeechCorpusPlan.Options(
            trainingSpeakers: try integer("speakers", 1...100_000), heldOutSpeakers: try integer("held-out", 0...100_000),
            seed: seed, utterancesPerSpeaker: try integer("utterances-per-speaker", 1...10_000), vocabulary: vocabulary,
            noiseSNRDecibels: noise)
        let threads = try integer("threads", 1...256)
        let espeak = try EspeakSynthesizer()
        let summary = try SpeechCorpusSynthesizer(plan: SpeechCorpusPlan(options), espeak: espeak)
            .write(to: out, force: arguments.flags.contains("force"), threads: threads)
        let hours = (summary.train.seconds + summary.validation.seconds) / 3600
        console.write("{\"out\":\"\(out)\",\"trainSpeakers\":\(summary.train.speakers),\"trainUtterances\":\(summary.train.utterances),"
            + "\"validationSpeakers\":\(summary.validation.speakers),\"validationUtterances\":\(summary.validation.utterances),"
            + "\"hours\":\(String(format: "%.2f", hours)),\"vocabulary\":\(summary.vocabularySize)}")
        return 0
    }
    return command
}()
