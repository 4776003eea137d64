/// The Levenshtein distance between two sequences: the fewest substitutions, insertions and deletions
/// that turn one into the other, by the two-row dynamic programme (Levenshtein 1966; Wagner & Fischer
/// 1974). Speech recognition scores a hypothesis by it against the reference, over words (WER) or
/// characters (CER).
package enum EditDistance {
    /// The distance between `a` and `b`, in O(|a| · |b|) time and O(|b|) memory.
    package static func distance<Element: Equatable>(_ a: [Element], _ b: [Element]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
