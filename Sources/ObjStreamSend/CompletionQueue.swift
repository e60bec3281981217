import ObjStreamWire

/// The completion queue (SCQ) of one stream and its thread: objects complete here in
/// the order the sender thread handed them over, in batches (one lock per batch).
final class CompletionQueue: @unchecked Sendable {
    private let condition = ConditionVariable()
    /// Batches as the sender handed them over: arrays move in whole, no per-object copy.
    private var entries: [(objects: [OutgoingObject], error: SendError?)] = []
    private var finished = false
    private var done = false
    private let complete: @Sendable (OutgoingObject, SendError?) -> Void

    /// Creates a queue.
    /// - Parameter complete: Completes one object (closes its source, calls its callback).
    init(complete: @escaping @Sendable (OutgoingObject, SendError?) -> Void) {
        self.complete = complete
    }

    /// Hands over objects to complete, in order.
    func add(_ objects: [OutgoingObject], error: SendError?) {
        guard !objects.isEmpty else { return }
        condition.lock()
        entries.append((objects, error))
        condition.signal()
        condition.unlock()
    }

    /// Says that nothing more will be added: the thread exits once it has completed everything.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The completion thread's body.
    func run() {
        var batch: [(objects: [OutgoingObject], error: SendError?)] = []
        while true {
            condition.lock()
            while entries.isEmpty && !finished { condition.wait() }
            if entries.isEmpty && finished {
                done = true
                condition.broadcast()
                condition.unlock()
                return
            }
            swap(&batch, &entries)
            condition.unlock()
            for (objects, error) in batch {
                for o in objects { complete(o, error) }
            }
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Marks the queue done without a thread (a stream whose threads never started).
    func markDone() {
        condition.lock()
        finished = true
        done = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every object handed over was completed and the thread ended.
    /// - Parameter timeout: How long to wait; nil: forever.
    /// - Returns: Whether it got there in time.
    func waitUntilDone(timeout: Duration?) -> Bool {
        condition.withLock { condition.wait(for: { done }, timeout: timeout) }
    }
}
