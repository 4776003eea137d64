import Kernels

/// The sentences of the synthetic speech corpus: a small grammar of spoken-assistant templates
/// ("turn on the kitchen light", "set a timer for twenty five minutes", "call anna") whose slots are
/// filled from word lists, numbers spelled out, every word in the speech alphabet.
///
/// Each template names its slots with braces (`{room}`, `{number}`); a slot draws one entry of its
/// list uniformly, and an entry may be several words ("living room"). Templates are chosen by weight,
/// so multi-slot commands dominate and fixed phrases ("thank you") are a small share: with three or
/// more slots of 7–30 entries each, whole utterances rarely repeat, so a recogniser has to learn words
/// and characters rather than memorise sentences. Every sentence has 1–10 words (checked when drawn).
/// Two sizes: `.small` uses the first part of each list (≥ 200 words), `.full` all of it (≥ 400).
package struct SentenceGrammar: Sendable {
    /// How much of each word list the grammar uses.
    package enum Size: String, Sendable, CaseIterable {
        case small, full
    }

    /// The most words a sentence may have.
    package static let maxWords = 10

    package let size: Size
    private let templates: [(weight: Int, parts: [Part])]
    private let totalWeight: Int
    private let slots: [String: [String]]

    /// One piece of a template: literal words or a slot.
    private enum Part: Sendable {
        case words(String)
        case slot(String)
    }

    package init(size: Size) {
        self.size = size
        var slots: [String: [String]] = [:]
        for (name, list) in Self.lists { slots[name] = size == .full ? list.full : Array(list.full.prefix(list.small)) }
        slots["number"] = Self.numberWords(1...99)
        slots["small number"] = Self.numberWords(2...12)
        slots["hour"] = Self.numberWords(1...12)
        slots["minute"] = ["o'clock", "fifteen", "thirty", "forty five"] + (size == .full ? ["ten", "twenty", "fifty"] : [])
        slots["percent"] = ["ten", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        self.slots = slots
        templates = Self.templateTexts.map { weight, text in (weight, Self.parse(text)) }
        totalWeight = templates.reduce(0) { $0 + $1.weight }
        for (_, parts) in templates {
            for case let .slot(name) in parts { precondition(slots[name] != nil, "SentenceGrammar: no list for {\(name)}") }
        }
    }

    /// Every word the grammar can say, sorted: the corpus's vocabulary.
    package var vocabulary: [String] {
        var words = Set<String>()
        for (_, parts) in templates {
            for part in parts {
                switch part {
                case let .words(text): words.formUnion(text.split(separator: " ").map(String.init))
                case let .slot(name): for entry in slots[name]! { words.formUnion(entry.split(separator: " ").map(String.init)) }
                }
            }
        }
        return words.sorted()
    }

    /// A sentence drawn from `stream`: a template by weight, then each slot's entry uniformly; redrawn
    /// (from the same stream, so still deterministic) in the rare case it would pass `maxWords`.
    package func sentence(using stream: inout RandomStream) -> String {
        while true {
            var pick = stream.uniformInt(below: totalWeight)
            var chosen = templates[0].parts
            for (weight, parts) in templates {
                if pick < weight { chosen = parts; break }
                pick -= weight
            }
            var words: [String] = []
            for part in chosen {
                switch part {
                case let .words(text): words.append(text)
                case let .slot(name):
                    let list = slots[name]!
                    let entry = list[stream.uniformInt(below: list.count)]
                    if !entry.isEmpty { words.append(entry) }
                }
            }
            let sentence = words.joined(separator: " ")
            let count = sentence.split(separator: " ").count
            if count >= 1 && count <= Self.maxWords { return sentence }
        }
    }

    // "set a timer for {number} {unit}" → [.words("set a timer for"), .slot("number"), .slot("unit")]
    private static func parse(_ text: String) -> [Part] {
        var parts: [Part] = [], rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            let literal = rest[..<open].trimmingCharacters(in: " ")
            if !literal.isEmpty { parts.append(.words(literal)) }
            let close = rest[open...].firstIndex(of: "}")!
            parts.append(.slot(String(rest[rest.index(after: open)..<close])))
            rest = rest[rest.index(after: close)...]
        }
        let literal = rest.trimmingCharacters(in: " ")
        if !literal.isEmpty { parts.append(.words(literal)) }
        return parts
    }

    private static let units = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    private static let teens = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                                "eighteen", "nineteen"]
    private static let tens: [String: String] = ["two": "twenty", "three": "thirty", "four": "forty", "five": "fifty",
                                                 "six": "sixty", "seven": "seventy", "eight": "eighty", "nine": "ninety"]

    /// The numbers in `range` (within 1…99) spelled out as spoken: "seven", "fourteen", "twenty five".
    package static func numberWords(_ range: ClosedRange<Int>) -> [String] {
        precondition(range.lowerBound >= 1 && range.upperBound <= 99, "numberWords: 1…99 only")
        return range.map { n in
            if n < 10 { return units[n - 1] }
            if n < 20 { return teens[n - 10] }
            let ten = tens[units[n / 10 - 1]]!
            return n % 10 == 0 ? ten : ten + " " + units[n % 10 - 1]
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
