import Federation
import Learning

/// Evaluation totals of the speech task: word and character edit errors of the decoded transcripts
/// against the references, and the CTC loss, summed over utterances in batch order.
///
/// Word error rate is the primary metric (what targets and sweeps rank by), character error rate the
/// headline beside it; both are corpus fractions (total errors / total reference words or characters,
/// as NIST's sclite scores), so 0.12 is 12 % WER. The loss is the mean CTC loss per reference character
/// over the utterances an alignment fits; an utterance too long for its frames counts its errors but
/// not its (infinite) loss, and is counted in `infeasibleUtterances`.
package struct SpeechEvaluation: TaskEvaluation, Sendable, Equatable {
    package var words = ErrorRate()
    package var characters = ErrorRate()
    package var lossSum = 0.0
    package var lossCharacters = 0
    package var utterances = 0
    package var infeasibleUtterances = 0

    package init() {}

    /// Adds one decoded utterance and its CTC loss.
    package mutating func add(hypothesis: String, reference: String, loss: CTCLoss.Result) {
        words.add(.words(hypothesis: hypothesis, reference: reference))
        let characterErrors = ErrorRate.characters(hypothesis: hypothesis, reference: reference)
        characters.add(characterErrors)
        utterances += 1
        if loss.feasible {
            lossSum += loss.negativeLogLikelihood
            lossCharacters += characterErrors.referenceLength
        } else {
            infeasibleUtterances += 1
        }
    }

    package mutating func add(_ other: SpeechEvaluation) {
        words.add(other.words)
        characters.add(other.characters)
        lossSum += other.lossSum
        lossCharacters += other.lossCharacters
        utterances += other.utterances
        infeasibleUtterances += other.infeasibleUtterances
    }

    package var values: [String: Double] {
        ["wordErrorRate": words.rate, "characterErrorRate": characters.rate,
         "validationLoss": lossCharacters == 0 ? 0 : lossSum / Double(lossCharacters)]
    }

    /// The speech task's metrics: WER first (primary), CER as the headline beside it, the CTC loss.
    package static let metrics = [
        TaskMetric(name: "wordErrorRate", lowerIsBetter: true, label: "word error rate"),
        TaskMetric(name: "characterErrorRate", lowerIsBetter: true, label: "character error rate", isHeadline: true),
        TaskMetric(name: "validationLoss", lowerIsBetter: true, label: "CTC loss per character"),
    ]
}
