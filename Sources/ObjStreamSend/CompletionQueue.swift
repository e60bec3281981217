import ObjStreamWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The completion queue (SCQ) of one stream and its thread: objects complete here in
/// the order the sender thread handed them over, in batches (one lock per batch).
///
/// Bounded: once more than ``backlog`` objects wait for the completion thread (slow
/// callbacks), the sender thread waits in ``add(_:error:)`` until the completion thread
/// takes them (back-pressure). A callback that sends on its own stream never waits for
/// the send queue (``isCompletionThread``), so the two threads never wait for each other.
///
/// Waiters wake by what they wait for: the completion thread and the sender thread share
/// one condition (never both waiting: one waits for entries, the other for room, and the
/// queue cannot be empty and full at once), `waitUntilDone` waiters have their own, so
/// handing over entries never wakes them and `signal` always reaches the right thread.
final class CompletionQueue: @unchecked Sendable {
    /// Guards the entries; the completion thread waits on it for entries, the sender thread for room.
    private let condition = ConditionVariable()
    /// Guards `done`; ``waitUntilDone(timeout:)`` waits on it.
    private let doneCondition = ConditionVariable()
    /// Batches as the sender handed them over: arrays move in whole, no per-object copy.
    private var entries: [(objects: [OutgoingObject], error: SendError?)] = []
    /// Objects in `entries`.
    private var waiting = 0
    private var finished = false
    private var completerWaiting = false
    private var senderWaiting = false
    /// Whether everything was completed and the thread ended; guarded by `doneCondition`.
    private var done = false
    /// The completion thread (`pthread_self`), 0 before it runs.
    private let thread = Atomic<UInt>(0)
    /// How many objects may wait before ``add(_:error:)`` waits for room.
    let backlog: Int
    private let complete: @Sendable (inout OutgoingObject, SendError?) -> Void

    /// Creates a queue.
    /// - Parameters:
    ///   - backlog: How many objects may wait for the completion thread before the sender
    ///     thread waits (the queue may exceed it by the last batch).
    ///   - complete: Completes one object (closes its source, calls its callback).
    init(backlog: Int = 65_536, complete: @escaping @Sendable (inout OutgoingObject, SendError?) -> Void) {
        self.backlog = max(1, backlog)
        self.complete = complete
    }

    /// Whether the calling thread is this queue's completion thread (a callback is running):
    /// a `send` from there must not wait for the send queue, whose sender thread may be
    /// waiting for this thread.
    var isCompletionThread: Bool { thread.load(ordering: .relaxed) == UInt(pthread_self()) }

    /// Hands over objects to complete, in order; waits while ``backlog`` objects wait already.
    /// Called by the sender thread only.
    /// - Parameters:
    ///   - objects: The objects, moved out: the array is left empty, with room for as many.
    ///   - error: What they complete with; nil: sent (or delivered).
    func add(contentsOf objects: inout [OutgoingObject], error: SendError?) {
        guard !objects.isEmpty else { return }
        let capacity = objects.capacity
        var taken: [OutgoingObject] = []
        swap(&taken, &objects)
        add(taken, error: error)
        objects.reserveCapacity(capacity)
    }

    /// Hands over objects made for the call (a refused one, a part of a request).
    /// - Parameters:
    ///   - objects: The objects.
    ///   - error: What they complete with.
    func add(_ objects: consuming [OutgoingObject], error: SendError?) {
        guard !objects.isEmpty else { return }
        condition.lock()
        defer { condition.unlock() }
        while waiting >= backlog {
            senderWaiting = true
            condition.wait()
            senderWaiting = false
        }
        waiting += objects.count
        entries.append((objects, error))
        if completerWaiting { condition.signal() }
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
        thread.store(UInt(pthread_self()), ordering: .relaxed)
        var batch: [(objects: [OutgoingObject], error: SendError?)] = []
        while true {
            condition.lock()
            while entries.isEmpty && !finished {
                completerWaiting = true
                condition.wait()
                completerWaiting = false
            }
            if entries.isEmpty && finished {
                condition.unlock()
                markDone()
                return
            }
            swap(&batch, &entries)
            waiting = 0
            if senderWaiting { condition.signal() }
            condition.unlock()
            for i in batch.indices {
                let error = batch[i].error
                // Completed in place (no copy of an object), then destroyed with the batch.
                batch[i].objects.withUnsafeMutableBufferPointer { objects in
                    for o in objects.indices { complete(&objects[o], error) }
                }
            }
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Marks the queue done: at the thread's end, or without a thread (a stream whose threads never started).
    func markDone() {
        condition.withLock { finished = true }
        doneCondition.lock()
        done = true
        doneCondition.broadcast()
        doneCondition.unlock()
    }

    /// Waits until every object handed over was completed and the thread ended.
    /// - Parameter timeout: How long to wait; nil: forever.
    /// - Returns: Whether it got there in time.
    func waitUntilDone(timeout: Duration?) -> Bool {
        doneCondition.withLock { doneCondition.wait(for: { done }, timeout: timeout) }
    }
}
