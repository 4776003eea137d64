import Foundation

/// Where a JSON text first breaks, by line and column, and what was expected there: Foundation's parser
/// says only that the text is not JSON, which leaves a person hunting for a missing comma.
///
/// A small recursive-descent scanner over RFC 8259's grammar; it only locates the first mistake (the
/// values themselves are read by `JSONSerialization` once the text is valid).
package enum JSONSyntax {
    /// The first mistake: 1-based line and column (in characters), and what is wrong there.
    package struct Problem: Error, Equatable, Sendable, CustomStringConvertible {
        package var line: Int
        package var column: Int
        package var message: String
        package var description: String { "line \(line), column \(column): \(message)" }
    }

    /// The first syntax error of `data`, or nil when it is one valid JSON value.
    package static func firstProblem(in data: Data) -> Problem? {
        var scanner = Scanner(bytes: Array(data))
        do throws(Problem) {
            scanner.skipSpace()
            try scanner.value(depth: 0)
            scanner.skipSpace()
            if scanner.index < scanner.bytes.count { throw scanner.failure("unexpected text after the end of the object") }
            return nil
        } catch {
            return error
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        func failure(_ message: String, at position: Int? = nil) -> Problem {
            let end = min(position ?? index, bytes.count)
            var line = 1, column = 1
            for byte in bytes[..<end] {
                if byte == UInt8(ascii: "\n") {
                    (line, column) = (line + 1, 1)
                } else if byte & 0xC0 != 0x80 {  // count characters, not UTF-8 continuation bytes
                    column += 1
                }
            }
            return Problem(line: line, column: column, message: message)
        }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = current, [0x20, 0x09, 0x0A, 0x0D].contains(byte) { index += 1 }
        }

        func shown(_ byte: UInt8) -> String {
            byte < 0x80 ? "'\(Character(Unicode.Scalar(byte)))'" : "a non-ASCII character"
        }

        mutating func value(depth: Int) throws(Problem) {
            guard depth < 512 else { throw failure("nested too deeply") }
            guard let byte = current else { throw failure("the text ends where a value should be") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try list(depth: depth)
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "'"): throw failure("strings take double quotes (\"…\"), not single ones")
            default: throw failure("unexpected \(shown(byte)) where a value should be")
            }
        }

        mutating func object(depth: Int) throws(Problem) {
            let opening = index
            index += 1
            skipSpace()
            if current == UInt8(ascii: "}") { index += 1; return }
            while true {
                guard let byte = current else { throw failure("the text ends inside the object opened here", at: opening) }
                guard byte == UInt8(ascii: "\"") else {
                    throw failure(byte == UInt8(ascii: "}") ? "a comma before '}' (JSON allows no trailing comma)"
                        : byte == UInt8(ascii: "'") ? "keys take double quotes (\"key\"), not single ones"
                        : "expected a key in double quotes, found \(shown(byte))")
                }
                try string()
                skipSpace()
                guard current == UInt8(ascii: ":") else { throw failure("expected ':' after the key") }
                index += 1
                skipSpace()
                try value(depth: depth + 1)
                skipSpace()
                switch current {
                case UInt8(ascii: ",")?: index += 1; skipSpace()
                case UInt8(ascii: "}")?: index += 1; return
                case nil: throw failure("the text ends inside the object opened here (a missing '}'?)", at: opening)
                default: throw failure("expected ',' or '}' after the value (a missing comma?)")
                }
            }
        }

        mutating func list(depth: Int) throws(Problem) {
            let opening = index
            index += 1
            skipSpace()
            if current == UInt8(ascii: "]") { index += 1; return }
            while true {
                if current == UInt8(ascii: "]") { throw failure("a comma before ']' (JSON allows no trailing comma)") }
                try value(depth: depth + 1)
                skipSpace()
                switch current {
                case UInt8(ascii: ",")?: index += 1; skipSpace()
                case UInt8(ascii: "]")?: index += 1; return
                case nil: throw failure("the text ends inside the list opened here (a missing ']'?)", at: opening)
                default: throw failure("expected ',' or ']' after the value (a missing comma?)")
                }
            }
        }

        mutating func string() throws(Problem) {
            let opening = index
            index += 1
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""): index += 1; return
                case UInt8(ascii: "\\"):
                    index += 1
                    guard let escaped = current else { break }
                    if escaped == UInt8(ascii: "u") {
                        let digits = bytes[min(index + 1, bytes.count)..<min(index + 5, bytes.count)]
                        guard digits.count == 4, digits.allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }) else {
                            throw failure("\\u needs four hex digits")
                        }
                        index += 5
                    } else {
                        guard "\"\\/bfnrt".utf8.contains(escaped) else { throw failure("unknown escape \\\(shown(escaped))") }
                        index += 1
                    }
                case 0..<0x20: throw failure("a line break or control character inside a string (a missing '\"'?)")
                default: index += 1
                }
            }
            throw failure("the string opened here never closes (a missing '\"'?)", at: opening)
        }

        mutating func number() throws(Problem) {
            func digits() -> Int {
                let start = index
                while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
                return index - start
            }
            if current == UInt8(ascii: "-") { index += 1 }
            let integerStart = index
            let count = digits()
            guard count > 0 else { throw failure("a number needs digits after '-'") }
            if count > 1 && bytes[integerStart] == UInt8(ascii: "0") { throw failure("a number cannot start with 0", at: integerStart) }
            if current == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { throw failure("a number needs digits after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw failure("a number needs digits in its exponent") }
            }
        }

        mutating func literal(_ word: String) throws(Problem) {
            let expected = Array(word.utf8)
            guard bytes.count >= index + expected.count, Array(bytes[index..<index + expected.count]) == expected else {
                throw failure("unexpected text where a value should be (strings need double quotes; true, false and null are lower case)")
            }
            index += expected.count
        }
    }
}
