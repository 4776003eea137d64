import Federation
import Foundation
import Testing

/// The JSONL line index: lines and their numbers as a reader would count them, across the pass's read
/// boundaries; its cache is used when fresh, rebuilt when the file changed (even in place, at the same
/// size), ignored when damaged, and optional when the folder cannot be written.
@Suite struct JSONLLineIndexTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("jsonl-index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, in folder: URL) throws -> String {
        let path = folder.appendingPathComponent("users.jsonl").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func lines(_ index: JSONLLineIndex) throws -> [String] {
        try (0..<index.count).map { String(decoding: try index.line($0), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    @Test func blankLinesAreSkippedAndNumbersAreTheFilesOwn() throws {
        let path = try Self.write("{\"a\":1}\n\n  \t\n{\"b\":2}\r\n   {\"c\":3}  \n\n{\"d\":4}", in: try Self.folder())
        let index = try JSONLLineIndex(path: path, missing: "a test file")
        #expect(try Self.lines(index) == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "{\"d\":4}"])
        #expect((0..<4).map(index.lineNumber) == [1, 4, 5, 7])
        #expect(!index.fromCache)
        #expect(!FileManager.default.fileExists(atPath: path + ".index"))  // small: no cache
    }

    @Test func linesLongerThanTheReadSizeAreIndexedWhole() throws {
        // Lines of 3 MiB cross the pass's 4 MiB reads at different places.
        let long = "{\"x\":\"" + String(repeating: "y", count: 3 << 20) + "\"}"
        let path = try Self.write([long, "", long, long].joined(separator: "\n") + "\n", in: try Self.folder())
        let index = try JSONLLineIndex(path: path, missing: "a test file")
        #expect(try Self.lines(index) == [long, long, long])
        #expect((0..<3).map(index.lineNumber) == [1, 3, 4])
    }

    @Test func aLineThatIsNotAnObjectNamesItsLine() throws {
        let path = try Self.write("{\"a\":1}\n\n[1, 2]\n", in: try Self.folder())
        #expect(throws: DataError.corruptLine(path: path, line: 3, reason: "not a JSON object on one line")) {
            try JSONLLineIndex(path: path, missing: "a test file")
        }
        #expect(throws: DataError.missingFile(path: path + "x", expected: "a test file")) {
            try JSONLLineIndex(path: path + "x", missing: "a test file")
        }
    }

    @Test func theCacheIsUsedWhenFreshAndRebuiltWhenTheFileChanged() throws {
        let folder = try Self.folder()
        let original = (0..<50).map { "{\"user\":\"u\($0)\"}" }.joined(separator: "\n")
        let path = try Self.write(original, in: folder)
        let first = try JSONLLineIndex(path: path, missing: "a test file", cacheThreshold: 0)
        #expect(!first.fromCache)
        #expect(FileManager.default.fileExists(atPath: path + ".index"))
        let second = try JSONLLineIndex(path: path, missing: "a test file", cacheThreshold: 0)
        #expect(second.fromCache)
        #expect(try Self.lines(second) == (try Self.lines(first)))
        #expect((0..<50).map(second.lineNumber) == Array(1...50))

        // Rewritten in place at the same size with the same modification time: the head's hash differs.
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let changed = original.replacingOccurrences(of: "{\"user\":\"u1\"}\n", with: "\n{\"user\":\"v\"}\n")
        #expect(changed.utf8.count == original.utf8.count)
        _ = try Self.write(changed, in: folder)
        try FileManager.default.setAttributes([.modificationDate: attributes[.modificationDate]!], ofItemAtPath: path)
        let third = try JSONLLineIndex(path: path, missing: "a test file", cacheThreshold: 0)
        #expect(!third.fromCache)
        #expect(try Self.lines(third)[1] == "{\"user\":\"v\"}")
        #expect(third.lineNumber(1) == 3)

        // A damaged cache is ignored and replaced.
        try Data("not an index".utf8).write(to: URL(fileURLWithPath: path + ".index"))
        let fourth = try JSONLLineIndex(path: path, missing: "a test file", cacheThreshold: 0)
        #expect(!fourth.fromCache)
        #expect(try Self.lines(fourth) == (try Self.lines(third)))
        #expect(try JSONLLineIndex(path: path, missing: "a test file", cacheThreshold: 0).fromCache)
    }

    @Test func aCacheThatCannotBeWrittenIsNotAnError() throws {
        // A directory where the cache would go: the write fails (as in a read-only folder, even for root).
        let folder = try Self.folder()
        let path = try Self.write("{\"a\":1}\n{\"b\":2}\n", in: folder)
        try FileManager.default.createDirectory(atPath: path + ".index", withIntermediateDirectories: false)
        let index = try JSONLLineIndex(path: path, missing: "a test file", cacheThreshold: 0)
        #expect(index.count == 2 && !index.fromCache)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["users.jsonl", "users.jsonl.index"])
    }
}
