import Federation
import Tasks
import Foundation
import Testing

/// The lazy federated-text reader: token and text users, blank lines, and one-line errors naming the line.
@Suite struct FederatedTextFolderTests {
    static func folder(users: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("murmur-text-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try "<pad>\n<unk>\n<bos>\n<eos>\nthe\ncat\nsat\n".write(toFile: path + "/vocab.txt", atomically: true, encoding: .utf8)
        try users.write(toFile: path + "/users.jsonl", atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsTokenAndTextUsersOnDemand() throws {
        let path = try Self.folder(users: """
            {"user": "a", "tokens": [[4, 5], [6]]}

            {"user": "b", "text": ["the cat sat", "the dog"]}
            """)
        let data = try FederatedTextFolder(path: path)
        #expect(data.userCount == 2)
        #expect(data.vocabularySize == 7)
        #expect(try data.user(at: 0) == TextUser(name: "a", sentences: [[4, 5], [6]]))
        #expect(try data.user(at: 1) == TextUser(name: "b", sentences: [[4, 5, 6], [4, 1]]))  // dog → <unk>
    }

    @Test func corruptLinesNameFileAndLine() throws {
        let path = try Self.folder(users: "{\"user\": \"a\", \"tokens\": [[4]]}\n\n{\"user\": \"b\", \"tokens\": [[9]]}\n")
        let data = try FederatedTextFolder(path: path)
        #expect(throws: DataError.corruptLine(path: path + "/users.jsonl", line: 3,
                                              reason: "token id 9 is not an integer in 0..<7 (vocab.txt)")) {
            try data.user(at: 1)
        }
        let broken = try Self.folder(users: "{\"user\": \"a\", \"tokens\": [[4]]}\n[1, 2]\n")
        #expect(throws: DataError.corruptLine(path: broken + "/users.jsonl", line: 2,
                                              reason: "not a JSON object on one line")) {
            try FederatedTextFolder(path: broken)
        }
        #expect(throws: DataError.missingFile(path: "/no/such/folder", expected: "a folder with vocab.txt and users.jsonl")) {
            try FederatedTextFolder(path: "/no/such/folder")
        }
    }
}
