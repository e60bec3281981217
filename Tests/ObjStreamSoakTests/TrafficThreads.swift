import Foundation

/// Runs one body per stream kind on its own thread (sends block, so no task pool) and joins them.
enum TrafficThreads {
    /// Starts the threads.
    /// - Parameter body: The work of one kind's thread.
    /// - Returns: The group to wait on.
    static func start(_ body: @escaping @Sendable (StreamKind) -> Void) -> DispatchGroup {
        let group = DispatchGroup()
        for kind in StreamKind.allCases {
            group.enter()
            Thread.detachNewThread {
                body(kind)
                group.leave()
            }
        }
        return group
    }

    /// Sleeps until a moment (the traffic's own pacing, not a synchronisation).
    /// - Parameter instant: When to wake.
    static func sleep(until instant: ContinuousClock.Instant) {
        let left = ContinuousClock.now.duration(to: instant)
        if left > .zero { usleep(UInt32(min(left.seconds, 60) * 1_000_000)) }
    }
}
