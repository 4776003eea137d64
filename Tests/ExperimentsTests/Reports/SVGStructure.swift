import Foundation
import FoundationXML

/// The elements of an SVG or XHTML fragment as parsed by libxml2: parsing fails on anything that is
/// not well-formed, and each element is recorded with its attributes and the chain of its ancestors.
final class SVGStructure: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var ancestors: [(name: String, attributes: [String: String])]

        var classes: [String] { (attributes["class"] ?? "").split(separator: " ").map(String.init) }
        func isInside(_ className: String) -> Bool {
            ancestors.contains { ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(className)) }
        }
    }

    private(set) var elements: [Element] = []
    private var stack: [(name: String, attributes: [String: String])] = []
    /// The text of each run of characters between tags (entities joined back), whitespace-only runs left out.
    private(set) var texts: [String] = []
    private var pending = ""

    /// Parses `text`; nil when it is not well-formed XML.
    static func parse(_ text: String) -> SVGStructure? {
        let structure = SVGStructure()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = structure
        return parser.parse() ? structure : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        flush()
        elements.append(Element(name: name, attributes: attributes, ancestors: stack))
        stack.append((name, attributes))
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        flush()
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { pending += string }

    private func flush() {
        if !pending.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { texts.append(pending) }
        pending = ""
    }

    /// Elements carrying `className`.
    func withClass(_ className: String) -> [Element] { elements.filter { $0.classes.contains(className) } }
}
