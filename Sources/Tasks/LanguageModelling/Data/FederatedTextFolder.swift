import Federation
import Foundation

/// A federated text folder (`vocab.txt` + `users.jsonl`) read lazily: the users file is indexed once by
/// the byte offset of each line, and a user's line is read and parsed only when that user is asked for.
///
/// So a 10⁶-user file costs 8 bytes a user in memory. The index pass checks only that each non-blank
/// line looks like a JSON object; the full check of a line (its keys, its ids against the vocabulary)
/// happens when it is loaded, and `validateAll()` runs it over every line (`murmur data check`).
/// A user line is `{"user": "u1", "tokens": [[17, 5], [9]]}` or `{"user": "u1", "text": ["a b", "c"]}`.
package final class FederatedTextFolder: Population {
    package let vocabulary: Vocabulary
    package let usersPath: String
    private let lineOffsets: [UInt64]  // start of each user line, then the end of the file
    private let lineNumbers: [Int]  // 1-based physical line number of each user line
    private let fileDescriptor: Int32

    package var userCount: Int { lineNumbers.count }
    package var vocabularySize: Int { vocabulary.count }
    package var origin: String { usersPath }

    /// Opens and indexes the folder at `path`.
    package init(path: String) throws(DataError) {
        let folder = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missingFile(path: path, expected: "a folder with vocab.txt and users.jsonl")
        }
        vocabulary = try Vocabulary.load(from: folder.appendingPathComponent("vocab.txt"))
        usersPath = folder.appendingPathComponent("users.jsonl").path
        fileDescriptor = open(usersPath, O_RDONLY)
        guard fileDescriptor >= 0 else {
            throw FileManager.default.fileExists(atPath: usersPath)
                ? .unreadable(path: usersPath, reason: String(cString: strerror(errno)))
                : .missingFile(path: usersPath, expected: "users.jsonl, one user a line")
        }
        do {
            (lineOffsets, lineNumbers) = try Self.indexLines(fileDescriptor, path: usersPath)
        } catch {
            close(fileDescriptor)
            throw error
        }
        if lineNumbers.isEmpty {
            close(fileDescriptor)
            throw .corruptLine(path: usersPath, line: 1, reason: "the file has no users")
        }
    }

    deinit { close(fileDescriptor) }

    package func user(at index: Int) throws(DataError) -> TextUser {
        precondition(index >= 0 && index < userCount, "user index \(index) out of 0..<\(userCount)")
        let start = lineOffsets[index], length = Int(lineOffsets[index + 1] - start)
        var bytes = [UInt8](repeating: 0, count: length)
        let read = bytes.withUnsafeMutableBytes { pread(fileDescriptor, $0.baseAddress, length, off_t(start)) }
        guard read == length else {
            throw .unreadable(path: usersPath, reason: "the file changed or shrank while in use")
        }
        return try parseUser(Data(bytes), line: lineNumbers[index])
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

    // One pass over the file in 1 MiB reads, noting where each non-blank line starts.
    private static func indexLines(_ descriptor: Int32, path: String) throws(DataError) -> ([UInt64], [Int]) {
        var offsets: [UInt64] = [], numbers: [Int] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var fileOffset: UInt64 = 0, lineStart: UInt64 = 0, lineNumber = 1
        var firstByte: UInt8?, lastByte: UInt8 = 0  // first and last non-space bytes of the current line
        func finishLine(at end: UInt64) throws(DataError) {
            if let first = firstByte {
                guard first == UInt8(ascii: "{"), lastByte == UInt8(ascii: "}") else {
                    throw .corruptLine(path: path, line: lineNumber, reason: "not a JSON object on one line")
                }
                offsets.append(lineStart)
                numbers.append(lineNumber)
            }
            firstByte = nil
            lineStart = end + 1
            lineNumber += 1
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
            if count == 0 { break }
            for i in 0..<count {
                let byte = chunk[i]
                if byte == UInt8(ascii: "\n") {
                    try finishLine(at: fileOffset + UInt64(i))
                } else if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\r") {
                    if firstByte == nil { firstByte = byte }
                    lastByte = byte
                }
            }
            fileOffset += UInt64(count)
        }
        try finishLine(at: fileOffset)
        offsets.append(fileOffset)
        return (offsets, numbers)
    }
}
