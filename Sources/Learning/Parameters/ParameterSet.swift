import Kernels

/// A model's tensors (or their gradients, or an update) as one flat `Float` buffer with a layout.
///
/// A value with copy-on-write storage: a model update is a first-class value that can be stored, summed
/// and sent. Arithmetic runs over the flat buffer with the vectorised kernels.
package struct ParameterSet: Sendable, Equatable {
    package let layout: ParameterLayout
    /// All tensors, concatenated in layout order.
    package private(set) var flat: Tensor

    /// All zeros.
    package init(layout: ParameterLayout) {
        self.layout = layout
        flat = Tensor(shape: [layout.count])
    }

    /// From a flat vector of `layout.count` values (the inverse of `flat`).
    package init(layout: ParameterLayout, flat: Tensor) {
        precondition(flat.count == layout.count, "ParameterSet: \(flat.count) values for \(layout.count)")
        self.layout = layout
        self.flat = flat.reshaped([layout.count])
    }

    /// The tensor with this name, as a copy with its shape.
    package subscript(name: String) -> Tensor {
        guard let entry = layout.entry(named: name) else { preconditionFailure("ParameterSet: no tensor \(name)") }
        return Tensor(shape: entry.shape, values: Array(flat.scalars[entry.range]))
    }

    /// One value by its index in the flat buffer (bounds-checked; for tests and setup, not for loops).
    package subscript(flat index: Int) -> Float {
        get { flat[flat: index] }
        set { flat[flat: index] = newValue }
    }

    /// Read-only access to the whole buffer.
    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try flat.withUnsafeBufferPointer(body)
    }

    /// Mutable access to the whole buffer (copies first if the storage is shared).
    package mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try flat.withUnsafeMutableBufferPointer(body)
    }

    /// Sets every value to zero.
    package mutating func zero() {
        flat.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// self += alpha * other.
    package mutating func axpy(_ alpha: Float, _ other: ParameterSet) {
        precondition(layout == other.layout, "ParameterSet.axpy: layouts differ")
        other.flat.withUnsafeBufferPointer { x in flat.withUnsafeMutableBufferPointer { Elementwise.axpy(alpha, x, $0) } }
    }

    /// self *= alpha.
    package mutating func scale(by alpha: Float) {
        flat.withUnsafeMutableBufferPointer { Elementwise.scale($0, by: alpha) }
    }

    /// self - other: the update that takes `other` to `self`.
    package func difference(from other: ParameterSet) -> ParameterSet {
        precondition(layout == other.layout, "ParameterSet.difference: layouts differ")
        var result = ParameterSet(layout: layout)
        flat.withUnsafeBufferPointer { a in
            other.flat.withUnsafeBufferPointer { b in
                result.flat.withUnsafeMutableBufferPointer { Elementwise.subtract(a, b, into: $0) }
            }
        }
        return result
    }

    /// The L2 norm of all values together.
    package func l2Norm() -> Double {
        flat.withUnsafeBufferPointer { Reductions.sumOfSquares($0) }.squareRoot()
    }

    /// The L2 norm of each tensor, in layout order.
    package func tensorNorms() -> [Double] {
        flat.withUnsafeBufferPointer { buffer in
            layout.entries.map { entry in
                Reductions.sumOfSquares(UnsafeBufferPointer(rebasing: buffer[entry.range])).squareRoot()
            }
        }
    }
}

extension ParameterSet {
    /// Overwrites every value with `other`'s, in place (no allocation when the storage is not shared):
    /// how a client's model replica takes the global model at the start of its task.
    package mutating func assign(from other: ParameterSet) {
        precondition(layout == other.layout, "ParameterSet.assign: layouts differ")
        other.withUnsafeBufferPointer { source in
            _ = withUnsafeMutableBufferPointer { $0.update(fromContentsOf: source) }
        }
    }
}
