/// A dense, contiguous, row-major `Float` tensor with copy-on-write storage.
///
/// The value type is what layers, parameter sets and updates pass around; kernels work on its raw
/// buffer (`withUnsafeMutableBufferPointer`), so no per-element abstraction sits in a hot loop.
/// Copying a tensor is O(1) until one copy is mutated (swift-nio `ByteBuffer`'s scheme).
package struct Tensor: Sendable, Equatable, CustomStringConvertible {
    /// Sizes of each dimension, outermost first.
    package private(set) var shape: [Int]
    private var storage: TensorStorage

    /// A tensor of the given shape with every element set to `value`.
    package init(shape: [Int], repeating value: Float = 0) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        self.shape = shape
        storage = TensorStorage(count: shape.reduce(1, *), repeating: value)
    }

    /// A tensor of the given shape holding `values` in row-major order.
    package init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "Tensor: \(values.count) values for shape \(shape)")
        self.shape = shape
        storage = TensorStorage(count: values.count, repeating: 0)
        values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    /// The number of elements.
    package var count: Int { storage.count }

    /// The elements in row-major order (a copy, for tests and I/O).
    package var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: storage.count)) }

    /// The element at a flat row-major index (bounds-checked; for tests and setup, not for loops).
    package subscript(flat index: Int) -> Float {
        get {
            precondition(index >= 0 && index < count, "Tensor: index \(index) out of 0..<\(count)")
            return storage.pointer[index]
        }
        set {
            precondition(index >= 0 && index < count, "Tensor: index \(index) out of 0..<\(count)")
            makeUnique()
            storage.pointer[index] = newValue
        }
    }

    /// The same elements viewed with another shape of equal element count.
    package func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(newShape.reduce(1, *) == count, "Tensor: cannot reshape \(shape) to \(newShape)")
        var result = self
        result.shape = newShape
        return result
    }

    /// Calls `body` with the elements as a read-only buffer.
    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Calls `body` with the elements as a mutable buffer, copying the storage first if it is shared.
    package mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    package static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.storage === rhs.storage { return true }
        for i in 0..<lhs.count where lhs.storage.pointer[i] != rhs.storage.pointer[i] { return false }
        return true
    }

    package var description: String {
        let preview = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", …" : "")])"
    }

    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }
}

/// The owned memory behind `Tensor`: 64-byte aligned, freed on deinit.
final class TensorStorage: @unchecked Sendable {
    // @unchecked: `Tensor` mutates the memory only after `isKnownUniquelyReferenced`, so a storage shared
    // between values (and so possibly between threads) is never written.
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int, repeating value: Float) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.initializeMemory(as: Float.self, repeating: value, count: max(count, 1))
    }

    func copy() -> TensorStorage {
        let result = TensorStorage(count: count, repeating: 0)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    deinit { pointer.deallocate() }
}
