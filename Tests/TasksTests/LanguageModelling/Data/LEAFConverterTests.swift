import Federation
import Foundation
import Tasks
import Testing

/// A tiny LEAF-format sample, in LEAF's own shape (sharded JSON, users / num_samples / user_data).
enum LEAFSample {
    /// Two shards of Shakespeare: windows of 5 characters and the next one (LEAF uses 80).
    static let shakespeare = [
        #"{"users": ["THE_TEMPEST_MIRANDA"], "num_samples": [4], "user_data": {"THE_TEMPEST_MIRANDA": {"#
            + #""x": ["If by", "f by ", " by y", "O bra"], "y": [" ", "y", "o", "v"]}}}"#,
        #"{"users": ["HAMLET_HORATIO", "HAMLET_HAMLET"], "num_samples": [2, 1], "user_data": {"#
            + #""HAMLET_HORATIO": {"x": ["Hail ", "ail t"], "y": ["t", "o"]}, "HAMLET_HAMLET": {"x": ["To be"], "y": [","]}}}"#,
    ]
    /// One shard of Sent140: x is the raw record (id, date, query, user, text), y the sentiment.
    static let sent140 = [
        #"{"users": ["alice", "bob"], "num_samples": [2, 1], "user_data": {"#
            + #""alice": {"x": [["1", "Mon Apr 06", "NO_QUERY", "alice", "Good morning world"], "#
            + #"["2", "Mon Apr 06", "NO_QUERY", "alice", "good NIGHT"]], "y": [1, 0]}, "#
            + #""bob": {"x": [["3", "Tue Apr 07", "NO_QUERY", "bob", "morning all"]], "y": [1]}}}"#,
    ]

    /// Writes the shards into a fresh folder and returns its path.
    static func folder(_ shards: [String]) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-leaf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (index, shard) in shards.enumerated() {
            try Data(shard.utf8).write(to: url.appendingPathComponent("all_data_\(index).json"))
        }
        return url.path
    }
}

@Suite struct LEAFConverterTests {
    /// Overlapping windows rebuild the text; a window that does not continue it starts a new passage.
    @Test func shakespeareWindowsRebuildTheText() throws {
        var converter = LEAFConverter(task: .shakespeare)
        converter.chunkLength = 4
        let source = try LEAFSample.folder(LEAFSample.shakespeare), out = source + "-out"
        defer { for path in [source, out] { try? FileManager.default.removeItem(atPath: path) } }
        let counts = try converter.convert(from: source, to: out)
        #expect(counts == .init(shards: 2, users: 3, sentences: 8, tokens: 27, vocabulary: counts.vocabulary))
        let folder = try FederatedTextFolder(path: out)
        let vocabulary = folder.vocabulary
        func text(_ user: TextUser) -> [String] {
            user.sentences.map { $0.map { vocabulary.tokens[Int($0)] }.joined(separator: "|") }
        }
        // "If by yo" (the first three windows continue each other) and "O brav", in chunks of 4.
        let miranda = try folder.user(at: 0)
        #expect(miranda.name == "THE_TEMPEST_MIRANDA")
        #expect(text(miranda) == ["I|f|<space>|b", "y|<space>|y|o", "O|<space>|b|r", "a|v"])
        #expect(try folder.user(at: 1).name == "HAMLET_HORATIO" && text(try folder.user(at: 1)) == ["H|a|i|l", "<space>|t|o"])
        #expect(text(try folder.user(at: 2)) == ["T|o|<space>|b", "e|,"])
        #expect(vocabulary.tokens.prefix(5) == ["<pad>", "<unk>", "<bos>", "<eos>", "<space>"])  // the most frequent first
    }

    @Test func sent140TweetsBecomeLowerCasedWords() throws {
        let source = try LEAFSample.folder(LEAFSample.sent140), out = source + "-out"
        defer { for path in [source, out] { try? FileManager.default.removeItem(atPath: path) } }
        var converter = LEAFConverter(task: .sent140)
        converter.vocabularySize = 6  // the 4 special tokens, "good", "morning"
        let counts = try converter.convert(from: source, to: out)
        #expect(counts == .init(shards: 1, users: 2, sentences: 3, tokens: 7, vocabulary: 6))
        let folder = try FederatedTextFolder(path: out)
        #expect(folder.vocabulary.tokens == ["<pad>", "<unk>", "<bos>", "<eos>", "good", "morning"])
        #expect(try folder.user(at: 0).sentences == [[4, 5, 1], [4, 1]])  // world, night: <unk>
        #expect(try folder.user(at: 1).sentences == [[5, 1]])
        // The test split, with the training split's vocabulary.
        let test = source + "-test"
        defer { try? FileManager.default.removeItem(atPath: test) }
        let reused = try converter.convert(from: source, to: test, vocabulary: folder.vocabulary)
        let testFolder = try FederatedTextFolder(path: test)
        #expect(reused.vocabulary == 6 && testFolder.vocabulary == folder.vocabulary)
    }

    @Test func aShardWithoutUsersIsOneLine() throws {
        let source = try LEAFSample.folder([#"{"user_data": {}}"#])
        defer { try? FileManager.default.removeItem(atPath: source) }
        #expect(throws: DataError.corruptLine(path: source + "/all_data_0.json", line: 1,
                                              reason: "needs \"users\" (a list of ids) and \"user_data\" (an object by id)")) {
            try LEAFConverter(task: .sent140).convert(from: source, to: source + "-out")
        }
    }
}
