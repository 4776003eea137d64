import Foundation

/// CPU time of the calling thread, so a client's or the server's compute is measured apart from
/// the other threads it shares the machine with.
package enum ThreadCPUClock {
    /// Seconds of CPU the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`).
    package static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
