/// One user's data: an id and sentences of token ids (no `<bos>` / `<eos>`).
package struct FederatedUser: Sendable, Equatable {
    package var name: String
    package var sentences: [[Int32]]

    package init(name: String, sentences: [[Int32]]) {
        self.name = name
        self.sentences = sentences
    }
}

/// A set of users whose data is produced only when a user is asked for, so 10⁶ users cost no memory.
///
/// Implementations are immutable and safe to read from several threads at once.
package protocol Population: Sendable {
    /// How many users; they are addressed by index in `0..<userCount`.
    var userCount: Int { get }
    /// The vocabulary size the token ids index into.
    var vocabularySize: Int { get }
    /// Where the users come from, for messages (a path, or "synthetic …").
    var origin: String { get }
    /// The user at `index`, read or generated now.
    func user(at index: Int) throws(DataError) -> FederatedUser
}
