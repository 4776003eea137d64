/// The names, shapes and offsets of a model's tensors inside one flat buffer.
///
/// Every parameter set, gradient and model update of one model shares a layout, so an update is a flat
/// vector that can be clipped, noised and summed as one, and still be read tensor by tensor (per-layer
/// clipping, LAMB's trust ratio, partial updates).
package struct ParameterLayout: Sendable, Equatable, Hashable, Codable {
    /// One named tensor's place in the flat buffer.
    package struct Entry: Sendable, Equatable, Hashable, Codable {
        package let name: String
        package let shape: [Int]
        package let offset: Int
        package var count: Int { shape.reduce(1, *) }
        package var range: Range<Int> { offset..<(offset + count) }
    }

    package private(set) var entries: [Entry] = []
    /// The total number of floats.
    package private(set) var count = 0

    package init() {}

    /// Appends a tensor and returns its entry; names must be unique.
    @discardableResult
    package mutating func add(_ name: String, shape: [Int]) -> Entry {
        precondition(!entries.contains { $0.name == name }, "ParameterLayout: duplicate name \(name)")
        let entry = Entry(name: name, shape: shape, offset: count)
        entries.append(entry)
        count += entry.count
        return entry
    }

    /// The entry with this name, if any.
    package func entry(named name: String) -> Entry? { entries.first { $0.name == name } }
}
