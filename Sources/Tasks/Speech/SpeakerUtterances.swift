import Federation

/// One speaker's utterances made ready for local training: the 16 kHz audio and the character targets.
///
/// Features are computed from the audio when a batch is made (`SpeechRecognitionTask.batch`), on the
/// client's own thread, rather than when the round is planned: planning loads every sampled speaker on
/// one thread, and the log-mel front end is the larger part of a speaker's preparation.
package struct SpeakerUtterances: LocalDataset {
    package var waveforms: [Waveform]
    package var labels: [[Int32]]
    /// Input frames of each utterance (10 ms each), known from its length before any feature is computed.
    package var frameCounts: [Int]

    package init(waveforms: [Waveform], labels: [[Int32]], frameCounts: [Int]) {
        precondition(waveforms.count == labels.count && labels.count == frameCounts.count, "SpeakerUtterances: counts differ")
        self.waveforms = waveforms
        self.labels = labels
        self.frameCounts = frameCounts
    }

    package var exampleCount: Int { waveforms.count }
    /// Characters of the transcripts: what `weighting: token` weights a speaker's update by.
    package var targetCount: Int { labels.reduce(0) { $0 + $1.count } }
    /// Seconds of audio.
    package var seconds: Double { waveforms.reduce(0) { $0 + $1.seconds } }
}
