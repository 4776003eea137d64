import Learning
import Testing

@Suite struct EditDistanceTests {
    @Test(arguments: [("kitten", "sitting", 3), ("", "", 0), ("", "abc", 3), ("abc", "", 3), ("flaw", "lawn", 2),
                      ("intention", "execution", 5), ("same", "same", 0), ("ab", "ba", 2)])
    func knownDistances(a: String, b: String, expected: Int) {
        #expect(EditDistance.distance(Array(a), Array(b)) == expected)
        #expect(EditDistance.distance(Array(b), Array(a)) == expected)
    }

    /// Against the exponential recursive definition on every pair of short strings over {a, b}.
    @Test func matchesTheRecursiveDefinition() {
        func slow(_ a: ArraySlice<Character>, _ b: ArraySlice<Character>) -> Int {
            if a.isEmpty { return b.count }
            if b.isEmpty { return a.count }
            let cost = a.last == b.last ? 0 : 1
            return min(slow(a.dropLast(), b.dropLast()) + cost, slow(a.dropLast(), b) + 1, slow(a, b.dropLast()) + 1)
        }
        let words = (0..<5).flatMap { length in
            (0..<(1 << length)).map { bits in String((0..<length).map { bits >> $0 & 1 == 0 ? "a" : "b" }) }
        }
        for a in words { for b in words { #expect(EditDistance.distance(Array(a), Array(b)) == slow(Array(a)[...], Array(b)[...])) } }
    }
}
