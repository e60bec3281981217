import Foundation

/// The send queue (SQ) of one stream: FIFO, at most `burst` objects, `push` blocks
/// while full; plus the stop request and the closing drain.
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

    /// What the sender thread gets next.
    enum Next {
        case item(Item)
        case empty
        case stop
    }

    private let condition = NSCondition()
    private var items: [Item?] = []
    private var headIndex = 0
    private var objectCount = 0
    private var stopRequested = false
    private var closedReason: TerminationReason?
    /// How often a push found the queue full (`chanFull`).
    private(set) var fullCount = 0
    let burst: Int

    init(burst: Int) {
        self.burst = burst
        items.reserveCapacity(burst)
    }

    /// Queues an object, blocking while the queue holds `burst` objects.
    /// - Parameter object: The object.
    /// - Returns: nil when queued; the termination reason when the stream is closed.
    /// - Parameter onFull: Called (once) when the push has to wait.
    func push(_ object: OutgoingObject, onFull: () -> Void) -> TerminationReason? {
        condition.lock()
        defer { condition.unlock() }
        if closedReason == nil, objectCount >= burst {
            fullCount += 1
            onFull()
            while closedReason == nil, objectCount >= burst { condition.wait() }
        }
        if let closedReason { return closedReason }
        items.append(.object(object))
        objectCount += 1
        condition.broadcast()
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

    /// The next item without waiting.
    func poll() -> Next {
        condition.lock()
        defer { condition.unlock() }
        return takeLocked()
    }

    /// The next item, waiting for one.
    func wait() -> Next {
        condition.lock()
        defer { condition.unlock() }
        while true {
            let next = takeLocked()
            if case .empty = next {
                condition.wait()
                continue
            }
            return next
        }
    }

    /// Whether objects are waiting.
    var hasObjects: Bool {
        condition.lock()
        defer { condition.unlock() }
        return objectCount > 0
    }

    /// Sleeps unless a stop is requested.
    /// - Parameter duration: How long.
    /// - Returns: false when a stop was requested.
    func sleep(for duration: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(duration.components.seconds)
            + Double(duration.components.attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        while !stopRequested, condition.wait(until: deadline) {}
        return !stopRequested
    }

    /// Whether `stop()` was called.
    var isStopRequested: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopRequested
    }

    /// Asks the sender thread to stop at once; later pushes are refused from now on.
    func requestStop() {
        condition.lock()
        stopRequested = true
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
        for case .object(let o)? in items[headIndex...] { left.append(o) }
        items.removeAll()
        headIndex = 0
        objectCount = 0
        condition.broadcast()
        return left
    }

    /// The reason the queue was closed with, if it was.
    var closed: TerminationReason? {
        condition.lock()
        defer { condition.unlock() }
        return closedReason
    }

    private func takeLocked() -> Next {
        if stopRequested { return .stop }
        guard headIndex < items.count else { return .empty }
        let item = items[headIndex]!
        items[headIndex] = nil
        headIndex += 1
        if headIndex == items.count {
            items.removeAll(keepingCapacity: true)
            headIndex = 0
        } else if headIndex >= 4096 && headIndex * 2 >= items.count {
            items.removeFirst(headIndex)
            headIndex = 0
        }
        if case .object = item {
            objectCount -= 1
            if objectCount == burst - 1 { condition.broadcast() }
        }
        return .item(item)
    }
}
