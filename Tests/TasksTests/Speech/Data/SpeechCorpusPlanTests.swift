import Tasks
import Testing

/// Who says what: heavy-tailed utterances per speaker, disjoint splits, a pure function of the options.
@Suite struct SpeechCorpusPlanTests {
    @Test func utterancesPerSpeakerAreHeavyTailedWithAMinimum() {
        let plan = SpeechCorpusPlan(.init(trainingSpeakers: 2000, heldOutSpeakers: 0, seed: 5, utterancesPerSpeaker: 12))
        let counts = plan.speakers.map(\.sentences.count).sorted()
        #expect(counts.first! >= SpeechCorpusPlan.minimumUtterances)
        let median = counts[counts.count / 2], mean = Double(counts.reduce(0, +)) / Double(counts.count)
        // Log-normal with median 12 and σ = 0.8: mean 12·e^0.32 ≈ 16.5, 99th percentile 12·e^(2.33·0.8) ≈ 77.
        #expect((11...13).contains(median), "median \(median)")
        #expect((15.0...18.0).contains(mean), "mean \(mean)")
        #expect((55...100).contains(counts[counts.count * 99 / 100]), "p99 \(counts[counts.count * 99 / 100])")
        #expect(counts.filter { $0 == SpeechCorpusPlan.minimumUtterances }.count > 20)  // the floor is reached
    }

    @Test func splitsAreDisjointAndNamed() {
        let plan = SpeechCorpusPlan(.init(trainingSpeakers: 5, heldOutSpeakers: 2, seed: 1))
        #expect(plan.speakers.map(\.name) == ["s0001", "s0002", "s0003", "s0004", "s0005", "h0001", "h0002"])
        #expect(plan.speakers.map(\.split) == [.train, .train, .train, .train, .train, .validation, .validation])
        #expect(Set(plan.speakers.map(\.streamIndex)).count == 7)
        #expect(SpeechCorpusPlan.audioPath(speaker: "s0002", utterance: 0) == "s0002/0001.wav")
    }

    @Test func planIsAFunctionOfTheOptions() {
        let options = SpeechCorpusPlan.Options(trainingSpeakers: 6, heldOutSpeakers: 2, seed: 11)
        let a = SpeechCorpusPlan(options), b = SpeechCorpusPlan(options)
        #expect(a.speakers.map(\.sentences) == b.speakers.map(\.sentences) && a.speakers.map(\.voice) == b.speakers.map(\.voice))
        var other = options
        other.seed = 12
        #expect(SpeechCorpusPlan(other).speakers.map(\.sentences) != a.speakers.map(\.sentences))
        // Adding held-out speakers does not change the training speakers.
        other = options
        other.heldOutSpeakers = 5
        #expect(SpeechCorpusPlan(other).speakers.prefix(6).map(\.sentences) == a.speakers.prefix(6).map(\.sentences))
    }
}
