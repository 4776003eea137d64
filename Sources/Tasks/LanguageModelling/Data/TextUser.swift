/// One user of a language task: an id and sentences of token ids (no `<bos>` / `<eos>`).
package struct TextUser: Sendable, Equatable {
    package var name: String
    package var sentences: [[Int32]]

    package init(name: String, sentences: [[Int32]]) {
        self.name = name
        self.sentences = sentences
    }
}
