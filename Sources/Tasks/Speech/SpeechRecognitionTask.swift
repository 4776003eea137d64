import Federation
import Kernels
import Learning

/// Federated speech recognition: speakers are the users, clients train a CTC (or CTC-attention)
/// recogniser on their own utterances, and held-out speakers score word and character error rates of
/// the decoded transcripts (Azam et al. 2023, "Importance of Smoothness Induced by Optimizers in FL4ASR";
/// Pelikan et al. 2023, arXiv 2310.00098, whose setting the defaults follow).
package struct SpeechRecognitionTask: FederatedTask {
    /// The model, the front end and how a speaker's utterances become batches: what a speech scenario
    /// sets besides the federated keys.
    package struct Configuration: Sendable, Equatable, Codable {
        package var model: SpeechRecognitionModel.Configuration
        /// Utterances of a speaker that local training uses (the first ones).
        package var maxUtterances = 64
        /// Utterances longer than this are left out of training (evaluation keeps every one).
        package var maxUtteranceSeconds = 30.0
        /// A local step's audio, in seconds of padded frames (nil: steps of `clients.batchSize`
        /// utterances). Padded, because that is what the step's workspace and time follow.
        package var batchSeconds: Double?
        /// SpecAugment's masks in training (nil: none).
        package var specAugment: SpecAugment?
        /// Beams of the CTC prefix search in evaluation; 1 decodes greedily.
        package var beamWidth = 1

        package init(model: SpeechRecognitionModel.Configuration) {
            self.model = model
        }
    }

    package let configuration: Configuration
    package let modelShape: ModelShape
    package let alphabet: Alphabet
    private let frontEnd: SpeechFrontEnd

    package init(configuration: Configuration, alphabet: Alphabet = .english) {
        precondition(configuration.model.classes == alphabet.classCount,
                     "SpeechRecognitionTask: \(configuration.model.classes) classes for an alphabet of \(alphabet.classCount)")
        self.configuration = configuration
        self.alphabet = alphabet
        modelShape = SpeechRecognitionModel.shape(of: configuration.model)
        frontEnd = SpeechFrontEnd(features: LogMelFeatures(filterCount: configuration.model.featureWidth))
    }

    package func makeModel(seed: UInt64) -> SpeechRecognitionReplica {
        SpeechRecognitionReplica(SpeechRecognitionModel(configuration: configuration.model, seed: seed),
                                 augment: configuration.specAugment)
    }

    /// The speaker's first `maxUtterances` utterances of at most `maxUtteranceSeconds`.
    package func localData(for speaker: Speaker) -> SpeakerUtterances {
        let kept = speaker.utterances.lazy.filter { $0.waveform.seconds <= configuration.maxUtteranceSeconds }
            .prefix(configuration.maxUtterances)
        return utterances(Array(kept))
    }

    private func utterances(_ list: [Utterance]) -> SpeakerUtterances {
        SpeakerUtterances(waveforms: list.map(\.waveform), labels: list.map(\.labels),
                          frameCounts: list.map { frontEnd.features.frameCount(sampleCount: $0.waveform.samples.count) })
    }

    /// The utterances at `indices` as one zero-padded batch of normalised log-mel features.
    package func batch(_ data: SpeakerUtterances, examples indices: ArraySlice<Int>) -> SpeechBatch {
        makeBatch(indices.map { frontEnd.evaluationFeatures(of: data.waveforms[$0]) }, labels: indices.map { data.labels[$0] })
    }

    private func makeBatch(_ features: [FeatureMatrix], labels: [[Int32]]) -> SpeechBatch {
        let width = configuration.model.featureWidth
        let maxFrames = features.map(\.frameCount).max() ?? 0
        var values = [Float](repeating: 0, count: features.count * maxFrames * width)
        values.withUnsafeMutableBufferPointer { target in
            for (index, matrix) in features.enumerated() {
                matrix.values.withUnsafeBufferPointer { source in
                    (target.baseAddress! + index * maxFrames * width).update(from: source.baseAddress!, count: source.count)
                }
            }
        }
        return SpeechBatch(features: values, frameCounts: features.map(\.frameCount), labels: labels, maxFrames: maxFrames,
                           featureWidth: width)
    }

    /// Steps of `batchSize` utterances, or with `batchSeconds` as many utterances in `order` as fit in
    /// that many seconds once padded to the longest of them (at least one a step).
    package func localSteps(of data: SpeakerUtterances, order: [Int], batchSize: Int) -> [Range<Int>] {
        guard let seconds = configuration.batchSeconds else { return Self.runs(of: order.count, batchSize: batchSize) }
        let budget = Int(seconds * 100)  // frames of 10 ms
        var steps: [Range<Int>] = [], start = 0, longest = 0
        for position in order.indices {
            let frames = data.frameCounts[order[position]]
            let widened = max(longest, frames)
            if position > start && widened * (position - start + 1) > budget {
                steps.append(start..<position)
                start = position
                longest = frames
            } else {
                longest = widened
            }
        }
        if start < order.count { steps.append(start..<order.count) }
        return steps
    }

    package func trainingCost(of data: SpeakerUtterances, batchSize: Int, model: SpeechRecognitionReplica)
        -> (flops: Double, workspaceBytes: Int) {
        var flops = 0.0, workspace = 0
        for step in localSteps(of: data, order: Array(0..<data.exampleCount), batchSize: batchSize) {
            let frames = step.map { data.frameCounts[$0] }.max() ?? 0
            let labels = step.map { data.labels[$0].count }.max() ?? 0
            flops += model.base.trainingFLOPs(batch: step.count, frames: frames, labelLength: labels)
            workspace = max(workspace, model.base.trainingWorkspaceBytes(batch: step.count, frames: frames, labelLength: labels))
        }
        return (flops, workspace)
    }

    /// Every utterance of the held-out speakers, sorted by length (so a batch pads little) and cut into
    /// batches of `batchSize`.
    package func evaluationBatches(users: [Speaker], batchSize: Int) -> [SpeechBatch] {
        let all = users.flatMap(\.utterances)
        let sorted = all.indices.sorted { (all[$0].waveform.samples.count, $0) < (all[$1].waveform.samples.count, $1) }
        return stride(from: 0, to: sorted.count, by: batchSize).map { start in
            let chosen = sorted[start..<min(start + batchSize, sorted.count)].map { all[$0] }
            return makeBatch(chosen.map { frontEnd.evaluationFeatures(of: $0.waveform) }, labels: chosen.map(\.labels))
        }
    }

    /// Decodes every utterance of `batch` (greedily, or by prefix beam search) and scores it against its
    /// transcript.
    package func evaluate(_ batch: SpeechBatch, model: SpeechRecognitionReplica, into evaluation: inout SpeechEvaluation) {
        let classes = configuration.model.classes
        let search = configuration.beamWidth > 1 ? CTCPrefixBeamSearch(beamWidth: configuration.beamWidth, blank: alphabet.blank) : nil
        for (index, output) in model.base.recognise(batch, pool: nil).enumerated() {
            let decoded = output.logProbabilities.withUnsafeBufferPointer { logits -> [Int32] in
                guard output.frames > 0 else { return [] }
                if let search {
                    return search.decode(logits: logits.baseAddress!, frames: output.frames, classes: classes).first?.labels ?? []
                }
                return CTCGreedyDecoder.decode(logits: logits.baseAddress!, frames: output.frames, classes: classes,
                                               blank: alphabet.blank)
            }
            evaluation.add(hypothesis: alphabet.decode(decoded), reference: alphabet.decode(batch.labels[index]), loss: output.loss)
        }
    }

    package var metrics: [TaskMetric] { SpeechEvaluation.metrics }

    /// Speech has no embedding rows to choose, so partial embedding updates do not apply.
    package var rowFrequencies: UnigramDistribution? { nil }
}
