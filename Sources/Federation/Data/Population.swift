/// A set of users whose data is produced only when a user is asked for, so 10⁶ users cost no memory.
///
/// Implementations are immutable and safe to read from several threads at once. What a user is
/// depends on the task (a language task's users hold sentences, a speech task's speakers utterances).
package protocol Population<User>: Sendable {
    associatedtype User: Sendable
    /// How many users; they are addressed by index in `0..<userCount`.
    var userCount: Int { get }
    /// Where the users come from, for messages (a path, or "synthetic …").
    var origin: String { get }
    /// The user at `index`, read or generated now.
    func user(at index: Int) throws(DataError) -> User
}
