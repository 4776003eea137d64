import Foundation

/// Hands one rank's trained clients from its training threads to the thread that sends or sums them,
/// which takes them strictly in order (`ordinal` 0, 1, 2, … of the rank's own positions).
///
/// A worker may start ordinal i only while i < next + window, where next is the ordinal to be taken
/// next, so at most `window` updates wait in memory however far ahead training gets; the one taken next
/// is always inside the window, so the order of claims can never deadlock it.
final class UpdateMailbox<Value>: @unchecked Sendable {
    // @unchecked: `slots` and `next` are read and written only while holding `condition`.
    private let condition = NSCondition()
    private var slots: [Int: Value] = [:]
    private var next = 0
    private let window: Int

    init(window: Int) {
        precondition(window >= 1, "UpdateMailbox: a window of at least one")
        self.window = window
    }

    /// Blocks until ordinal `ordinal` is inside the window.
    func waitForRoom(_ ordinal: Int) {
        condition.lock()
        while ordinal >= next + window { condition.wait() }
        condition.unlock()
    }

    /// Leaves the result for `ordinal`.
    func put(_ value: Value, at ordinal: Int) {
        condition.lock()
        slots[ordinal] = value
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for the next ordinal's result and takes it, moving the window on.
    func takeNext() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while slots[next] == nil { condition.wait() }
        let value = slots.removeValue(forKey: next)!
        next += 1
        condition.broadcast()
        return value
    }
}
