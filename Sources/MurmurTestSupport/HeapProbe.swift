import CHeapProbe

/// The process's heap in use, as the C allocator counts it (tests only: glibc's `mallinfo2`).
public enum HeapProbe {
    /// Bytes allocated and not yet freed, through malloc (which Swift's allocations use).
    public static func bytesInUse() -> Int { Int(murmur_heap_bytes_in_use()) }
}
