import Federation
import Foundation

/// Converts LEAF's federated text benchmarks (Caldas et al. 2018, "LEAF: A Benchmark for Federated Settings")
/// into a federated text folder (`vocab.txt` + `users.jsonl`, docs/formats.md) that Murmur trains on.
///
/// LEAF stores users in sharded JSON files, each `{"users": [ids], "num_samples": [n], "user_data": {id: {"x":
/// [...], "y": [...]}}}`. The conversion streams: one shard is held in memory at a time, first to count the
/// tokens (the vocabulary: the four special tokens, then the most frequent, ties alphabetical), then to write
/// each user's line; the folder it writes is read back with the same lazy line index as any other.
/// - `shakespeare` (next character): a user's samples are 80-character windows `x` and the next character `y`,
///   each window the previous one shifted by one; the text is rebuilt from them (a window that does not
///   continue the previous one starts a new passage) and cut into sentences of `chunkLength` characters,
///   one token per character (space, newline and tab as `<space>`, `<newline>`, `<tab>`).
/// - `sent140` (next word): each sample's tweet (`x` is the raw record, the text its fifth field, or `x`
///   itself when a string) lower-cased and split on whitespace; the sentiment labels `y` are not used.
package struct LEAFConverter: Sendable {
    package enum Task: String, Sendable, CaseIterable {
        case shakespeare, sent140
    }

    package var task: Task
    /// Tokens in the written vocabulary, the four special ones included (a given vocabulary overrides it).
    package var vocabularySize = 10_000
    /// Shakespeare: characters a sentence (a training row holds at most `clients.sequenceLength` of them).
    package var chunkLength = 80

    package init(task: Task) { self.task = task }

    /// What a conversion wrote.
    package struct Counts: Sendable, Equatable {
        package var shards = 0, users = 0, sentences = 0, tokens = 0, vocabulary = 0
        package init(shards: Int = 0, users: Int = 0, sentences: Int = 0, tokens: Int = 0, vocabulary: Int = 0) {
            (self.shards, self.users, self.sentences, self.tokens, self.vocabulary) = (shards, users, sentences, tokens, vocabulary)
        }
    }

    /// The shards of a LEAF folder: every `.json` file under it, sorted by path (a file itself is one shard).
    package static func shards(in path: String) throws(DataError) -> [URL] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw .missingFile(path: path, expected: "a LEAF data folder of .json shards (e.g. data/train)")
        }
        guard isFolder.boolValue else { return [URL(fileURLWithPath: path)] }
        let found = FileManager.default.enumerator(atPath: path)?.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".json") }.sorted() ?? []
        guard !found.isEmpty else { throw .missingFile(path: path, expected: "LEAF .json shards under it") }
        return found.map { URL(fileURLWithPath: path).appendingPathComponent($0) }
    }

    /// Converts every shard under `source` into the folder `destination`; with `vocabulary` (a training
    /// folder's, for its test split) tokens are looked up in it instead of counted.
    package func convert(from source: String, to destination: String, vocabulary given: Vocabulary? = nil) throws -> Counts {
        let shards = try Self.shards(in: source)
        let vocabulary = try given ?? buildVocabulary(shards)
        let out = URL(fileURLWithPath: destination)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data(vocabulary.fileText.utf8).write(to: out.appendingPathComponent("vocab.txt"), options: .atomic)
        let final = out.appendingPathComponent("users.jsonl"), partial = out.appendingPathComponent(".users.jsonl.partial")
        _ = FileManager.default.createFile(atPath: partial.path, contents: nil)
        let handle = try FileHandle(forWritingTo: partial)
        var counts = Counts(shards: shards.count, vocabulary: vocabulary.count)
        for shard in shards {
            var buffer = ""
            try forEachUser(in: shard) { name, sentences in
                let ids = sentences.map { $0.map { vocabulary.id(of: $0) } }
                counts.users += 1
                counts.sentences += ids.count
                counts.tokens += ids.reduce(0) { $0 + $1.count }
                buffer += "{\"user\": " + Self.jsonString(name) + ", \"tokens\": ["
                    + ids.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]}\n"
                if buffer.utf8.count > 1 << 20 {
                    try handle.write(contentsOf: Data(buffer.utf8))
                    buffer = ""
                }
            }
            try handle.write(contentsOf: Data(buffer.utf8))
        }
        try handle.close()
        guard counts.users > 0 else { throw DataError.corruptLine(path: source, line: 1, reason: "the shards hold no users") }
        _ = try? FileManager.default.removeItem(at: final)
        try FileManager.default.moveItem(at: partial, to: final)
        return counts
    }

    /// The vocabulary of the shards' most frequent tokens.
    func buildVocabulary(_ shards: [URL]) throws -> Vocabulary {
        var counts: [String: Int] = [:]
        for shard in shards {
            try forEachUser(in: shard) { _, sentences in
                for sentence in sentences { for token in sentence { counts[token, default: 0] += 1 } }
            }
        }
        let tokens = counts.filter { !Vocabulary.specialTokens.contains($0.key) }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(max(0, vocabularySize - 4)).map(\.key)
        return try Vocabulary(tokens: Vocabulary.specialTokens + tokens)
    }

    /// Calls `body` with each user of one shard and its sentences as token strings, in the shard's user order.
    func forEachUser(in shard: URL, _ body: (String, [[String]]) throws -> Void) throws {
        func corrupt(_ reason: String) -> DataError { .corruptLine(path: shard.path, line: 1, reason: reason) }
        guard let data = FileManager.default.contents(atPath: shard.path) else {
            throw DataError.unreadable(path: shard.path, reason: "cannot be opened")
        }
        guard let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw corrupt("not a JSON object (a LEAF shard is {\"users\": [...], \"user_data\": {...}})")
        }
        guard let users = root["users"] as? [String], let userData = root["user_data"] as? [String: Any] else {
            throw corrupt("needs \"users\" (a list of ids) and \"user_data\" (an object by id)")
        }
        for name in users {
            guard let record = userData[name] as? [String: Any], let x = record["x"] as? [Any] else {
                throw corrupt("user \(name): user_data has no \"x\" list")
            }
            switch task {
            case .shakespeare:
                guard let windows = x as? [String], let next = record["y"] as? [String], next.count == windows.count else {
                    throw corrupt("user \(name): shakespeare needs \"x\" strings and as many one-character \"y\" strings")
                }
                try body(name, Self.passages(windows: windows, next: next, chunk: chunkLength))
            case .sent140:
                var sentences: [[String]] = []
                for sample in x {
                    let text = (sample as? String) ?? ((sample as? [Any])?.count ?? 0 > 4 ? (sample as? [Any])?[4] as? String : nil)
                    guard let text else { throw corrupt("user \(name): a sent140 sample is a string or a record whose 5th field is the text") }
                    sentences.append(text.lowercased().split(whereSeparator: \.isWhitespace).map(String.init))
                }
                try body(name, sentences)
            }
        }
    }

    /// Shakespeare's text rebuilt from its overlapping windows, cut into sentences of `chunk` character tokens.
    static func passages(windows: [String], next: [String], chunk: Int) -> [[String]] {
        var texts: [[Character]] = [], window: [Character] = []
        for (x, y) in zip(windows, next) {
            let xs = Array(x), ys = Array(y)
            if !texts.isEmpty, xs == window {
                texts[texts.count - 1] += ys
            } else {
                texts.append(xs + ys)
            }
            window = Array((xs + ys).suffix(xs.count))
        }
        return texts.flatMap { text in
            stride(from: 0, to: text.count, by: chunk).map { start in
                text[start..<min(start + chunk, text.count)].map(characterToken)
            }
        }
    }

    /// A character's token name in vocab.txt (whitespace spelled out, since a token is a line).
    static func characterToken(_ c: Character) -> String {
        switch c {
        case " ": "<space>"
        case "\n": "<newline>"
        case "\t": "<tab>"
        default: c.isWhitespace || c.unicodeScalars.contains { $0.value < 0x20 }
            ? "<U+" + c.unicodeScalars.map { String($0.value, radix: 16, uppercase: true) }.joined(separator: "+") + ">"
            : String(c)
        }
    }

    private static func jsonString(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
        let array = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
        return String(array.dropFirst().dropLast())
    }
}
