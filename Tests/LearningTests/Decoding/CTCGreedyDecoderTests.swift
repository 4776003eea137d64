import Learning
import Testing

@Suite struct CTCGreedyDecoderTests {
    @Test func greedyMergesRepeatsAndDropsBlanks() {
        // Frame argmaxes: a a _ a b b _ _ c → "a a b c" as labels [1, 1, 2, 3].
        let path = [1, 1, 0, 1, 2, 2, 0, 0, 3]
        let logits = path.flatMap { best in (0..<4).map { Float($0 == best ? 2 : 0) } }
        #expect(CTCGreedyDecoder.decode(logits: logits, frames: path.count, classes: 4) == [1, 1, 2, 3])
        #expect(CTCGreedyDecoder.decode(logits: logits, frames: 0, classes: 4) == [])
    }

    /// On a tie the first class wins, so equal logits decode as blanks: nothing.
    @Test func tiesGoToTheFirstClass() {
        #expect(CTCGreedyDecoder.decode(logits: [Float](repeating: 1, count: 12), frames: 3, classes: 4) == [])
        #expect(CTCGreedyDecoder.decode(logits: [0, 3, 3, 0, 3, 3], frames: 2, classes: 3) == [1])
    }
}
