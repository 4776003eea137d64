import Dispatch
import Foundation
import Synchronization

/// A fixed set of threads that runs a parallel-for with static chunking.
///
/// `parallelFor(count:)` splits `0..<count` into at most `threadCount` contiguous chunks whose bounds
/// depend only on `count` and `threadCount`, runs chunk 0 on the calling thread and the others on the
/// pool's workers, and returns when all are done. Because every index is handled by exactly one chunk in
/// a fixed order, callers that write disjoint outputs get results that do not depend on scheduling — the
/// basis of Murmur's 1-vs-2-core determinism. A call made while the pool is already busy (a nested
/// parallel-for, or a second caller) runs all chunks inline on its own thread, so nesting cannot
/// deadlock. No allocation happens per call.
package final class ThreadPool: Sendable {
    /// How many threads, the caller's included, share the work.
    package let threadCount: Int
    private let shared: SharedState

    /// Creates a pool whose calls use `threadCount` threads (the caller plus `threadCount - 1` workers).
    package init(threadCount: Int) {
        precondition(threadCount >= 1, "a thread pool needs at least one thread")
        self.threadCount = threadCount
        shared = SharedState(workers: threadCount - 1)
        for worker in 1..<threadCount {
            let state = shared
            let thread = Thread { state.workerLoop(worker) }
            thread.name = "murmur-worker-\(worker)"
            thread.start()
        }
    }

    deinit { shared.stopWorkers() }

    /// The chunk of `0..<count` that part `index` of `parts` handles: contiguous, sizes differing by ≤ 1.
    package static func chunk(_ index: Int, of parts: Int, count: Int) -> Range<Int> {
        let base = count / parts, extra = count % parts
        let lower = index * base + min(index, extra)
        return lower..<(lower + base + (index < extra ? 1 : 0))
    }

    /// Runs `body(range, chunkIndex)` over static chunks of `0..<count` and waits for all of them.
    ///
    /// - Parameters:
    ///   - count: the number of items; chunks are contiguous ranges of item indices.
    ///   - body: called once per non-empty chunk with its range and its index (0 runs on the caller).
    package func parallelFor(count: Int, _ body: (Range<Int>, Int) -> Void) {
        let parts = min(threadCount, count)
        if parts <= 1 {
            if count > 0 { body(0..<count, 0) }
            return
        }
        guard shared.busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for part in 0..<parts { body(Self.chunk(part, of: parts, count: count), part) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            shared.run(escapable, count: count, parts: parts)
        }
        shared.busy.store(false, ordering: .releasing)
    }
}

extension ThreadPool {
    /// Runs `body(item, worker)` for every item of `0..<count`, handing items to threads as they free up.
    ///
    /// For uneven work (clients with heavy-tailed data) where static chunks would leave a thread idle.
    /// Which thread runs an item depends on timing, so `body` must write only per-item outputs, and any
    /// per-thread scratch it uses (indexed by `worker`, in `0..<threadCount`) must not carry results from
    /// one item to the next. Items are claimed in increasing order.
    package func forEachDynamically(count: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
        let nextItem = Atomic<Int>(0)
        parallelFor(count: min(threadCount, count)) { _, worker in
            while true {
                let item = nextItem.wrappingAdd(1, ordering: .relaxed).oldValue
                if item >= count { return }
                body(item, worker)
            }
        }
    }
}

/// What the caller and the workers share; owned by the workers too, so it outlives the pool's deinit.
private final class SharedState: @unchecked Sendable {
    // @unchecked: `job`, `jobCount` and `jobParts` are written only by the caller holding `busy`, before it
    // signals the start semaphores, and read by workers only between their start and done signals.
    let busy = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private let startSignals: [DispatchSemaphore]
    private let doneSignal = DispatchSemaphore(value: 0)
    private var job: ((Range<Int>, Int) -> Void)?
    private var jobCount = 0
    private var jobParts = 0

    init(workers: Int) {
        startSignals = (0..<workers).map { _ in DispatchSemaphore(value: 0) }
    }

    func run(_ body: @escaping (Range<Int>, Int) -> Void, count: Int, parts: Int) {
        job = body
        jobCount = count
        jobParts = parts
        for worker in 1..<parts { startSignals[worker - 1].signal() }
        body(ThreadPool.chunk(0, of: parts, count: count), 0)
        for _ in 1..<parts { doneSignal.wait() }
        job = nil
    }

    func workerLoop(_ worker: Int) {
        while true {
            startSignals[worker - 1].wait()
            if stopping.load(ordering: .sequentiallyConsistent) { return }
            job?(ThreadPool.chunk(worker, of: jobParts, count: jobCount), worker)
            doneSignal.signal()
        }
    }

    func stopWorkers() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        for signal in startSignals { signal.signal() }
    }
}
