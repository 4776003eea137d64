import Foundation

/// Where each user line of a JSONL file starts, built by one streaming pass and cached beside the file,
/// so a file of 10⁶ users opens in seconds the first time and at once after, at 12 bytes a line.
///
/// Populations read from a file (`FederatedTextFolder`, `SpeakerFolder`) keep only this index and an
/// open descriptor; a user's line is read with `pread` when that user is sampled. The pass checks only
/// that each non-blank line looks like one JSON object (`{` … `}`), so problems found later still name
/// `file:line`. The cache (`FILE.index`) records the file's size, modification time and a hash of its
/// first 64 KiB, and is rebuilt when any differs; a cache that cannot be written is not an error.
package final class JSONLLineIndex: @unchecked Sendable {
    // @unchecked: every stored property is written once in init; `pread` on the descriptor is thread-safe.
    package let path: String
    /// Start of each non-blank line, then the end of the file.
    private let offsets: [UInt64]
    /// 1-based physical line number of each non-blank line.
    private let numbers: [UInt32]
    private let descriptor: Int32
    /// Whether this index was read from the cache rather than built by a pass over the file.
    package let fromCache: Bool

    /// Lines indexed.
    package var count: Int { numbers.count }

    /// Opens `path` and indexes it, from the cache when it is fresh.
    ///
    /// - Parameters:
    ///   - missing: what the file should be, for the error when it does not exist.
    ///   - cacheThreshold: files smaller than this many bytes are indexed every time and get no cache
    ///     (the pass is quicker than reading one, and small data folders stay as written).
    package init(path: String, missing: String, cacheThreshold: Int = 4 << 20) throws(DataError) {
        self.path = path
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw FileManager.default.fileExists(atPath: path)
                ? .unreadable(path: path, reason: String(cString: strerror(errno)))
                : .missingFile(path: path, expected: missing)
        }
        do {
            let identity = try Self.identity(descriptor, path: path)
            let cachePath = path + ".index"
            if identity.size >= UInt64(cacheThreshold), let cached = Self.readCache(cachePath, identity: identity) {
                (offsets, numbers, fromCache) = (cached.offsets, cached.numbers, true)
            } else {
                (offsets, numbers) = try Self.indexLines(descriptor, path: path)
                fromCache = false
                if identity.size >= UInt64(cacheThreshold) {
                    Self.writeCache(cachePath, identity: identity, offsets: offsets, numbers: numbers)
                }
            }
        } catch {
            close(descriptor)
            throw error
        }
    }

    deinit { close(descriptor) }

    /// The 1-based line number of indexed line `index`, for messages.
    package func lineNumber(_ index: Int) -> Int { Int(numbers[index]) }

    /// The bytes of indexed line `index` (without its newline), read now.
    package func line(_ index: Int) throws(DataError) -> Data {
        precondition(index >= 0 && index < count, "line index \(index) out of 0..<\(count)")
        let start = offsets[index], length = Int(offsets[index + 1] - start)
        var bytes = Data(count: length)
        let read = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, off_t(start)) }
        guard read == length else {
            throw .unreadable(path: path, reason: "the file changed or shrank while in use")
        }
        return bytes
    }

    // MARK: - The pass

    /// One pass over the file in 4 MiB reads, noting where each non-blank line starts; newlines are
    /// found with `memchr`, and only a line's ends are looked at.
    private static func indexLines(_ descriptor: Int32, path: String) throws(DataError) -> ([UInt64], [UInt32]) {
        var offsets: [UInt64] = [], numbers: [UInt32] = []
        let chunkSize = 4 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { chunk.deallocate() }
        var fileOffset: UInt64 = 0, lineStart: UInt64 = 0, lineNumber: UInt32 = 1
        var firstByte: UInt8?, lastByte: UInt8 = 0  // first and last non-space bytes of the current line
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
        func finishLine(nextStart: UInt64) throws(DataError) {
            if let first = firstByte {
                guard first == UInt8(ascii: "{"), lastByte == UInt8(ascii: "}") else {
                    throw .corruptLine(path: path, line: Int(lineNumber), reason: "not a JSON object on one line")
                }
                offsets.append(lineStart)
                numbers.append(lineNumber)
            }
            firstByte = nil
            lineStart = nextStart
            guard lineNumber < UInt32.max else {
                throw .corruptLine(path: path, line: Int(lineNumber), reason: "more than 4·10⁹ lines; split the file")
            }
            lineNumber += 1
        }
        // Notes the first and last non-space bytes of a piece of the current line.
        func scan(_ bytes: UnsafePointer<UInt8>, _ count: Int) {
            guard count > 0 else { return }
            var end = count
            while end > 0 && isSpace(bytes[end - 1]) { end -= 1 }
            guard end > 0 else { return }
            lastByte = bytes[end - 1]
            if firstByte == nil {
                var i = 0
                while isSpace(bytes[i]) { i += 1 }
                firstByte = bytes[i]
            }
        }
        let base = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
        while true {
            let count = read(descriptor, base, chunkSize)
            if count < 0 { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
            if count == 0 { break }
            var position = 0
            while position < count {
                guard let hit = memchr(base + position, 0x0A, count - position) else {
                    scan(base + position, count - position)
                    break
                }
                let newline = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                scan(base + position, newline - position)
                try finishLine(nextStart: fileOffset + UInt64(newline) + 1)
                position = newline + 1
            }
            fileOffset += UInt64(count)
        }
        // A last line without a newline; its end is the end of the file.
        if firstByte != nil { try finishLine(nextStart: fileOffset) }
        offsets.append(fileOffset)
        // A line's bytes run to the next line's start; the newline and any blank lines between are
        // trailing whitespace to the JSON parser, so nothing trims them.
        return (offsets, numbers)
    }

    // MARK: - The cache

    /// What identifies the file's contents cheaply: size, modification time, a hash of its head.
    private struct Identity: Equatable {
        var size: UInt64
        var modifiedSeconds: Int64
        var modifiedNanoseconds: Int64
        var headHash: UInt64
    }

    private static let magic: UInt64 = 0x3158_4449_4C53_4A4D  // "MJSLIDX1", little-endian
    private static let headerWords = 6

    private static func identity(_ descriptor: Int32, path: String) throws(DataError) -> Identity {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(path: path, reason: "not a regular file") }
        var head = [UInt8](repeating: 0, count: 64 << 10)
        let read = head.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard read >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        // FNV-1a: not a cryptographic hash, only a check that the head was not rewritten in place.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in head[0..<read] { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return Identity(size: UInt64(status.st_size), modifiedSeconds: Int64(status.st_mtim.tv_sec),
                        modifiedNanoseconds: Int64(status.st_mtim.tv_nsec), headHash: hash)
    }

    /// The cached index, or nil if there is none, it is for another version of the file, or it is damaged.
    private static func readCache(_ cachePath: String, identity: Identity) -> (offsets: [UInt64], numbers: [UInt32])? {
        guard let data = FileManager.default.contents(atPath: cachePath), data.count >= headerWords * 8 else { return nil }
        return data.withUnsafeBytes { raw -> (offsets: [UInt64], numbers: [UInt32])? in
            func word(_ i: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
            let stored = Identity(size: word(1), modifiedSeconds: Int64(bitPattern: word(2)),
                                  modifiedNanoseconds: Int64(bitPattern: word(3)), headHash: word(4))
            let count = Int(truncatingIfNeeded: word(5))
            guard word(0) == magic, stored == identity, count >= 0, count < Int(UInt32.max),
                  data.count == headerWords * 8 + (count + 1) * 8 + count * 4 else { return nil }
            let offsetsStart = headerWords * 8, numbersStart = offsetsStart + (count + 1) * 8
            let offsets = (0...count).map { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offsetsStart + $0 * 8, as: UInt64.self)) }
            let numbers = (0..<count).map { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: numbersStart + $0 * 4, as: UInt32.self)) }
            guard offsets.last == identity.size else { return nil }
            return (offsets, numbers)
        }
    }

    /// Writes the cache to a temporary name and renames it into place; any failure leaves no cache.
    private static func writeCache(_ cachePath: String, identity: Identity, offsets: [UInt64], numbers: [UInt32]) {
        var data = Data(capacity: headerWords * 8 + offsets.count * 8 + numbers.count * 4)
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        for word in [magic, identity.size, UInt64(bitPattern: identity.modifiedSeconds),
                     UInt64(bitPattern: identity.modifiedNanoseconds), identity.headHash, UInt64(numbers.count)] {
            append(word)
        }
        offsets.withUnsafeBytes { data.append(contentsOf: $0) }  // little-endian hosts only (x86-64, arm64)
        numbers.withUnsafeBytes { data.append(contentsOf: $0) }
        let temporary = cachePath + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else { return }
        if rename(temporary, cachePath) != 0 { unlink(temporary) }
    }
}
