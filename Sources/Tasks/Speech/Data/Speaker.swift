/// One user of the speech task: a speaker and their recorded utterances, audio at 16 kHz.
package struct Speaker: Sendable {
    package var name: String
    package var utterances: [Utterance]

    package init(name: String, utterances: [Utterance]) {
        self.name = name
        self.utterances = utterances
    }
}

/// One recording and its transcript.
package struct Utterance: Sendable {
    /// The audio path as written in `speakers.jsonl` (relative to the folder).
    package var audio: String
    /// The normalised transcript.
    package var text: String
    /// `text` as alphabet classes (1…29), the CTC targets.
    package var labels: [Int32]
    /// The samples, resampled to 16 kHz.
    package var waveform: Waveform

    package init(audio: String, text: String, labels: [Int32], waveform: Waveform) {
        self.audio = audio
        self.text = text
        self.labels = labels
        self.waveform = waveform
    }
}
