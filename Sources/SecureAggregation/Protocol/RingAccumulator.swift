/// The running sum of masked inputs in Z_2^32, with the workspace to unpack one input into. Integer
/// addition commutes exactly, so inputs may be added in any order and split over any number of
/// accumulators: the total is the same bits.
package final class RingAccumulator: @unchecked Sendable {
    // @unchecked: used by one thread at a time (the session hands each out under a lock).
    package let sum: UnsafeMutableBufferPointer<UInt32>
    let scratch: UnsafeMutableBufferPointer<UInt32>

    /// A zeroed sum and workspace for vectors of `length` elements.
    package init(length: Int) {
        sum = .allocate(capacity: length)
        sum.initialize(repeating: 0)
        scratch = .allocate(capacity: length)
        scratch.initialize(repeating: 0)
    }

    deinit {
        sum.deallocate()
        scratch.deallocate()
    }
}
