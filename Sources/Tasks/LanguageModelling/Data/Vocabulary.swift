import Federation
import Foundation

/// The token list of a federated text folder (`vocab.txt`): line index is the token id, and ids 0–3 are
/// always `<pad>`, `<unk>`, `<bos>`, `<eos>` (docs/formats.md).
package struct Vocabulary: Sendable, Equatable {
    package static let paddingID: Int32 = 0
    package static let unknownID: Int32 = 1
    package static let beginID: Int32 = 2
    package static let endID: Int32 = 3
    /// The four reserved tokens, in id order.
    package static let specialTokens = ["<pad>", "<unk>", "<bos>", "<eos>"]

    /// Every token, by id.
    package let tokens: [String]
    private let idsByToken: [String: Int32]

    /// A vocabulary from its tokens, which must start with the four special tokens and not repeat.
    package init(tokens: [String]) throws(DataError) {
        guard Array(tokens.prefix(4)) == Self.specialTokens else {
            throw .corruptLine(path: "vocab.txt", line: 1, reason: "the first four tokens must be "
                + Self.specialTokens.joined(separator: " "))
        }
        var ids: [String: Int32] = [:]
        for (index, token) in tokens.enumerated() {
            if ids[token] != nil {
                throw .corruptLine(path: "vocab.txt", line: index + 1, reason: "token '\(token)' appears twice")
            }
            ids[token] = Int32(index)
        }
        self.tokens = tokens
        idsByToken = ids
    }

    /// Reads `vocab.txt`: one token a line, no blank lines except a final newline.
    package static func load(from url: URL) throws(DataError) -> Vocabulary {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .missingFile(path: url.path, expected: "vocab.txt, one token a line")
        }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadable(path: url.path, reason: "not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        if let blank = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw .corruptLine(path: url.path, line: blank + 1, reason: "empty token")
        }
        do { return try Vocabulary(tokens: lines) } catch let error {
            guard case let .corruptLine(_, line, reason) = error else { throw error }
            throw .corruptLine(path: url.path, line: line, reason: reason)
        }
    }

    /// How many tokens, the special ones included.
    package var count: Int { tokens.count }

    /// The id of `token`, or `<unk>`'s.
    package func id(of token: some StringProtocol) -> Int32 {
        idsByToken[String(token)] ?? Self.unknownID
    }

    /// The file's text: one token a line.
    package var fileText: String { tokens.joined(separator: "\n") + "\n" }
}
