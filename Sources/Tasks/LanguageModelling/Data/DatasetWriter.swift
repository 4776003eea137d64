import Federation
import Foundation

/// Writes federated text folders: a synthetic population to `vocab.txt` + `users.jsonl`, and a
/// vocabulary built from raw-text users. Files are written under a temporary name and renamed, so an
/// interrupted write never leaves a half file behind.
package enum DatasetWriter {
    /// Writes every user of `population` (token form) and the language's vocabulary into `folder`.
    package static func write(_ population: SyntheticPopulation, to folder: String) throws {
        let url = URL(fileURLWithPath: folder)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data(population.language.vocabulary.fileText.utf8).write(to: url.appendingPathComponent("vocab.txt"),
                                                                     options: .atomic)
        let final = url.appendingPathComponent("users.jsonl")
        let partial = url.appendingPathComponent(".users.jsonl.partial")
        _ = FileManager.default.createFile(atPath: partial.path, contents: nil)
        let handle = try FileHandle(forWritingTo: partial)
        var buffer = ""
        for index in 0..<population.userCount {
            let user = try population.user(at: index)
            let sentences = user.sentences.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }
            buffer += "{\"user\": \"\(user.name)\", \"tokens\": [" + sentences.joined(separator: ", ") + "]}\n"
            if buffer.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(buffer.utf8))
                buffer = ""
            }
        }
        try handle.write(contentsOf: Data(buffer.utf8))
        try handle.close()
        _ = try? FileManager.default.removeItem(at: final)
        try FileManager.default.moveItem(at: partial, to: final)
    }

    /// The vocabulary of the `size` − 4 most frequent whitespace-separated words of the raw-text users in
    /// `usersFile` (ties broken alphabetically), after the four special tokens.
    package static func buildVocabulary(fromTextUsers usersFile: String, size: Int) throws -> Vocabulary {
        guard size > 4 else { throw DataError.invalidArgument(name: "--size", value: String(size), allowed: "an integer ≥ 5") }
        guard let data = FileManager.default.contents(atPath: usersFile) else {
            throw DataError.missingFile(path: usersFile, expected: "users.jsonl with {\"user\": …, \"text\": [...]} lines")
        }
        var counts: [Substring: Int] = [:]
        let text = String(decoding: data, as: UTF8.self)
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  let sentences = object["text"] as? [String] else {
                throw DataError.corruptLine(path: usersFile, line: number + 1,
                                            reason: "needs a JSON object with \"text\": a list of strings")
            }
            for sentence in sentences {
                for word in sentence.split(whereSeparator: \.isWhitespace) { counts[Substring(word), default: 0] += 1 }
            }
        }
        let words = counts.filter { !Vocabulary.specialTokens.contains(String($0.key)) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(size - 4).map { String($0.key) }
        return try Vocabulary(tokens: Vocabulary.specialTokens + words)
    }
}
