import ObjStreamWire

/// How many files `objstream send` holds open at once: a file is opened when its object is
/// queued (so that a file that cannot be opened fails alone, before its header is on the
/// wire) and closed when the object completes, so without a bound every stream would hold
/// up to its burst of files (and whatever waits for completion) open at once.
///
/// ``acquire()`` waits while ``capacity`` files are open; the completion of each file's
/// object calls ``release()``. Waiting cannot deadlock: while the sending thread waits, the
/// streams' send queues run dry, which flushes what they buffered and completes it.
final class OpenFileBudget: @unchecked Sendable {
    /// The most files open at once.
    let capacity: Int
    private let condition = ConditionVariable()
    private var open = 0

    /// Creates a budget that leaves room below the process's limit for everything else.
    /// - Parameters:
    ///   - limit: The soft limit on open files.
    ///   - streams: How many streams (a socket each) the send opens.
    init(limit: Int, streams: Int) {
        // Standard streams, the metrics endpoint and its connections, /proc reads, the
        // streams' sockets: 64 and 2 per stream, at least 8 files.
        let reserve = 64 + 2 * streams
        capacity = max(8, min(limit, 1 << 20) - reserve)
    }

    /// Takes one file's place, waiting while every place is taken.
    func acquire() {
        condition.lock()
        while open >= capacity { condition.wait() }
        open += 1
        condition.unlock()
    }

    /// Gives one file's place back (its object completed, or the file did not open).
    func release() {
        condition.lock()
        open -= 1
        condition.signal()
        condition.unlock()
    }
}
