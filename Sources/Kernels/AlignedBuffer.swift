/// A fixed-size, 64-byte-aligned, zero-initialised `Float` buffer with one owner and no reference count.
///
/// Used for per-thread packing buffers and layer workspaces: allocated once in `init`, freed in `deinit`,
/// never copied (llm.c's `malloc_and_point_activations`, as a `~Copyable` value).
package struct AlignedBuffer: ~Copyable {
    /// The buffer's memory; valid for the lifetime of this value.
    package let pointer: UnsafeMutablePointer<Float>
    /// The number of floats.
    package let count: Int

    /// Allocates `count` floats, zeroed.
    package init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }
}
