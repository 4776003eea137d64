/// Edit-distance errors and reference length, summed over utterances: word or character error rate as
/// a fraction, errors / reference units (so 0.25 is 25 % WER, and insertions can push it past 1).
///
/// Totals, not per-utterance rates, are summed, as the NIST scoring tools (sclite) do: a corpus WER
/// weights each utterance by its length. Words are split at whitespace; characters are the text's
/// characters, spaces included (ESPnet's CER), after the caller has normalised the text.
package struct ErrorRate: Sendable, Equatable, Codable {
    package var errors: Int
    package var referenceLength: Int

    package init(errors: Int = 0, referenceLength: Int = 0) {
        self.errors = errors
        self.referenceLength = referenceLength
    }

    /// errors / referenceLength; 0 for no errors against an empty reference, +∞ for errors against one.
    package var rate: Double {
        referenceLength > 0 ? Double(errors) / Double(referenceLength) : (errors == 0 ? 0 : .infinity)
    }

    package mutating func add(_ other: ErrorRate) {
        errors += other.errors
        referenceLength += other.referenceLength
    }

    /// Word errors of `hypothesis` against `reference`.
    package static func words(hypothesis: String, reference: String) -> ErrorRate {
        let h = hypothesis.split(whereSeparator: \.isWhitespace), r = reference.split(whereSeparator: \.isWhitespace)
        return ErrorRate(errors: EditDistance.distance(h, r), referenceLength: r.count)
    }

    /// Character errors of `hypothesis` against `reference`.
    package static func characters(hypothesis: String, reference: String) -> ErrorRate {
        let r = Array(reference)
        return ErrorRate(errors: EditDistance.distance(Array(hypothesis), r), referenceLength: r.count)
    }
}
