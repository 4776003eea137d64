import Federation
import Foundation

/// A federated text folder (`vocab.txt` + `users.jsonl`) read lazily: the users file is indexed once by
/// the byte offset of each line (`JSONLLineIndex`, cached beside it), and a user's line is read and
/// parsed only when that user is asked for.
///
/// So a 10⁶-user file costs 12 bytes a user in memory. The index pass checks only that each non-blank
/// line looks like a JSON object; the full check of a line (its keys, its ids against the vocabulary)
/// happens when it is loaded, and `validateAll()` runs it over every line (`murmur data check`).
/// A user line is `{"user": "u1", "tokens": [[17, 5], [9]]}` or `{"user": "u1", "text": ["a b", "c"]}`.
package final class FederatedTextFolder: Population {
    package let vocabulary: Vocabulary
    package let usersPath: String
    private let lines: JSONLLineIndex

    package var userCount: Int { lines.count }
    package var vocabularySize: Int { vocabulary.count }
    package var origin: String { usersPath }

    /// Opens and indexes the folder at `path` (the index is cached beside the file: `users.jsonl.index`).
    package init(path: String) throws(DataError) {
        let folder = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missingFile(path: path, expected: "a folder with vocab.txt and users.jsonl")
        }
        vocabulary = try Vocabulary.load(from: folder.appendingPathComponent("vocab.txt"))
        usersPath = folder.appendingPathComponent("users.jsonl").path
        lines = try JSONLLineIndex(path: usersPath, missing: "users.jsonl, one user a line")
        if lines.count == 0 { throw .corruptLine(path: usersPath, line: 1, reason: "the file has no users") }
    }

    /// Whether the line index came from its cache rather than a pass over the file.
    package var indexFromCache: Bool { lines.fromCache }

    package func user(at index: Int) throws(DataError) -> TextUser {
        precondition(index >= 0 && index < userCount, "user index \(index) out of 0..<\(userCount)")
        return try parseUser(try lines.line(index), line: lines.lineNumber(index))
    }

    /// Loads every user once, so a corrupt line anywhere is reported now rather than when sampled.
    package func validateAll() throws(DataError) -> (users: Int, sentences: Int, tokens: Int) {
        var sentences = 0, tokens = 0
        for index in 0..<userCount {
            let user = try user(at: index)
            sentences += user.sentences.count
            tokens += user.sentences.reduce(0) { $0 + $1.count }
        }
        return (userCount, sentences, tokens)
    }

    private func parseUser(_ data: Data, line: Int) throws(DataError) -> TextUser {
        func corrupt(_ reason: String) -> DataError { .corruptLine(path: usersPath, line: line, reason: reason) }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw corrupt("not a JSON object")
        }
        guard let name = object["user"] as? String else { throw corrupt("missing \"user\" (a string)") }
        if let unknown = object.keys.first(where: { !["user", "tokens", "text"].contains($0) }) {
            throw corrupt("unknown key \"\(unknown)\"; allowed: user, tokens, text")
        }
        switch (object["tokens"], object["text"]) {
        case let (tokens?, nil):
            guard let sentences = tokens as? [[Any]] else { throw corrupt("\"tokens\" must be a list of lists of ids") }
            var result: [[Int32]] = []
            result.reserveCapacity(sentences.count)
            for sentence in sentences {
                var ids: [Int32] = []
                ids.reserveCapacity(sentence.count)
                for value in sentence {
                    guard let number = value as? NSNumber,
                          let id = Int32(exactly: number.doubleValue), id >= 0, Int(id) < vocabulary.count else {
                        throw corrupt("token id \(value) is not an integer in 0..<\(vocabulary.count) (vocab.txt)")
                    }
                    ids.append(id)
                }
                result.append(ids)
            }
            return TextUser(name: name, sentences: result)
        case let (nil, text?):
            guard let sentences = text as? [String] else { throw corrupt("\"text\" must be a list of strings") }
            return TextUser(name: name, sentences: sentences.map { sentence in
                sentence.split(whereSeparator: \.isWhitespace).map { vocabulary.id(of: $0) }
            })
        case (nil, nil): throw corrupt("needs \"tokens\" or \"text\"")
        default: throw corrupt("has both \"tokens\" and \"text\"; give one")
        }
    }
}
