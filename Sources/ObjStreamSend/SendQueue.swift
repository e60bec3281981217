import ObjStreamWire
import Synchronization

/// The send queue (SQ) of one stream: FIFO, at most `burst` objects, `push` blocks
/// while full; plus the stop request and the closing drain.
///
/// The sender thread takes everything queued at once by swapping arrays under the
/// lock (no per-item work while the sending side waits), and the condition is only
/// signalled when someone waits on it, so that a busy stream costs about one
/// uncontended lock per object on the sending side.
final class SendQueue: @unchecked Sendable {
    /// One entry of the queue.
    enum Item {
        /// An object to put on the wire.
        case object(OutgoingObject)
        /// The end-of-stream marker queued by `fin()`.
        case fin
        /// The collector's in-band idle tick: end the request if nothing follows.
        case idleTick
    }

    private let condition = ConditionVariable()
    private var items: [Item] = []
    /// Objects queued and not yet taken (markers do not count against the burst).
    private var objectCount = 0
    private var stopRequested = false
    private let stopFlag = Atomic(false)
    private var closedReason: TerminationReason?
    private var senderWaiting = false
    private var pushersWaiting = 0
    /// The most objects that wait in the queue; the sender's batch in hand may hold as many again.
    let burst: Int
    /// Called (under the lock) each time a push has to wait for room (`chanFull`).
    private let whenFull: @Sendable () -> Void

    /// Creates a queue.
    /// - Parameters:
    ///   - burst: The most objects that wait in it.
    ///   - whenFull: Called each time a push has to wait for room, before it waits.
    init(burst: Int, whenFull: @escaping @Sendable () -> Void) {
        self.burst = burst
        self.whenFull = whenFull
        items.reserveCapacity(burst)
    }

    /// Queues an object, blocking while the queue holds `burst` objects.
    /// - Parameters:
    ///   - object: The object.
    ///   - mayWait: Whether to wait while the queue is full; false queues beyond `burst`
    ///     (a callback's send on the completion thread, which the sender thread may wait for).
    /// - Returns: nil when queued (the object moved in, never copied); when the stream is
    ///   closed, the termination reason and the object, handed back.
    func push(_ object: consuming OutgoingObject, mayWait: Bool = true)
        -> (reason: TerminationReason, object: OutgoingObject)?
    {
        condition.lock()
        defer { condition.unlock() }
        if mayWait, closedReason == nil, objectCount >= burst {
            whenFull()
            pushersWaiting += 1
            while closedReason == nil, objectCount >= burst { condition.wait() }
            pushersWaiting -= 1
        }
        if let closedReason { return (closedReason, object) }
        items.append(.object(object))
        objectCount += 1
        if senderWaiting { condition.broadcast() }
        return nil
    }

    /// Queues a marker (not counted against the burst).
    /// - Returns: Whether the stream was still open.
    @discardableResult
    func pushControl(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard closedReason == nil, !stopRequested else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Moves every queued item into `batch` (which must be empty), optionally waiting for one.
    /// - Parameters:
    ///   - batch: Receives the items, in order (it should be empty).
    ///   - wait: Whether to block until there is an item or a stop.
    /// - Returns: false when a stop was requested.
    func take(into batch: inout [Item], wait: Bool) -> Bool {
        precondition(batch.isEmpty, "the previous batch must be used up")
        condition.lock()
        defer { condition.unlock() }
        while wait, !stopRequested, items.isEmpty {
            senderWaiting = true
            condition.wait()
            senderWaiting = false
        }
        return takeLocked(into: &batch)
    }

    /// Moves every queued item into `batch` (which must be empty), waiting at most `timeout` for one.
    /// - Parameters:
    ///   - batch: Receives the items, in order.
    ///   - timeout: The longest wait.
    /// - Returns: false when a stop was requested, nil when the time ran out with nothing queued.
    func take(into batch: inout [Item], waitingAtMost timeout: Duration) -> Bool? {
        precondition(batch.isEmpty, "the previous batch must be used up")
        let deadline = ContinuousClock.now + timeout
        condition.lock()
        defer { condition.unlock() }
        while !stopRequested, items.isEmpty {
            senderWaiting = true
            let woken = condition.wait(until: deadline)
            senderWaiting = false
            if !woken, !stopRequested, items.isEmpty { return nil }
        }
        return takeLocked(into: &batch)
    }

    private func takeLocked(into batch: inout [Item]) -> Bool {
        if stopRequested { return false }
        swap(&batch, &items)
        if objectCount > 0 {
            objectCount = 0
            if pushersWaiting > 0 { condition.broadcast() }
        }
        return true
    }

    /// Whether objects wait in the queue (not those already taken by the sender).
    var hasObjects: Bool {
        condition.lock()
        defer { condition.unlock() }
        return objectCount > 0
    }

    /// Sleeps unless a stop is requested.
    /// - Parameter duration: How long.
    /// - Returns: false when a stop was requested.
    func sleep(for duration: Duration) -> Bool {
        let deadline = ContinuousClock.now + duration
        condition.lock()
        defer { condition.unlock() }
        senderWaiting = true
        while !stopRequested, condition.wait(until: deadline) {}
        senderWaiting = false
        return !stopRequested
    }

    /// Whether `stop()` was called (lock-free, checked per object).
    var isStopRequested: Bool { stopFlag.load(ordering: .acquiring) }

    /// Asks the sender thread to stop at once; later pushes are refused from now on.
    func requestStop() {
        condition.lock()
        stopRequested = true
        stopFlag.store(true, ordering: .releasing)
        if closedReason == nil { closedReason = .stopped }
        condition.broadcast()
        condition.unlock()
    }

    /// Closes the queue: later pushes are refused with `reason`, blocked pushers wake.
    /// - Parameter reason: Why the stream terminated.
    /// - Returns: The objects that were still queued, in order.
    func close(_ reason: TerminationReason) -> [OutgoingObject] {
        condition.lock()
        defer { condition.unlock() }
        if closedReason == nil { closedReason = reason }
        var left: [OutgoingObject] = []
        for case .object(let o) in items { left.append(o) }
        items.removeAll()
        objectCount = 0
        condition.broadcast()
        return left
    }
}
