import Kernels
import Synchronization
import Testing

/// Static chunking covers every index exactly once, in contiguous chunks, and nesting does not deadlock;
/// the dynamic loop visits every item once.
@Suite struct ThreadPoolTests {
    @Test(arguments: [0, 1, 2, 3, 17, 1000])
    func chunksPartitionTheRange(count: Int) {
        for parts in 1...5 {
            var next = 0
            for index in 0..<parts {
                let chunk = ThreadPool.chunk(index, of: parts, count: count)
                #expect(chunk.lowerBound == next)
                next = chunk.upperBound
            }
            #expect(next == count)
        }
    }

    @Test func everyIndexRunsOnceAndNestedCallsRunInline() {
        let pool = ThreadPool(threadCount: 2)
        let visits = Mutex([Int](repeating: 0, count: 100))
        pool.parallelFor(count: 100) { range, _ in
            pool.parallelFor(count: range.count) { inner, _ in  // nested: runs inline on this thread
                visits.withLock { counts in for i in inner { counts[range.lowerBound + i] += 1 } }
            }
        }
        #expect(visits.withLock { $0 } == [Int](repeating: 1, count: 100))
    }

    @Test func dynamicLoopRunsEveryItemOnceWithAValidWorker() {
        let pool = ThreadPool(threadCount: 2)
        let visits = Mutex([Int](repeating: 0, count: 257))
        let workersSeen = Mutex(Set<Int>())
        pool.forEachDynamically(count: 257) { item, worker in
            visits.withLock { $0[item] += 1 }
            workersSeen.withLock { _ = $0.insert(worker) }
        }
        #expect(visits.withLock { $0 } == [Int](repeating: 1, count: 257))
        #expect(workersSeen.withLock { $0.isSubset(of: [0, 1]) })
    }
}
