import Dispatch
import ObjStreamSend
import ObjStreamWire
import Synchronization

/// One `objstream send` in rounds: every object goes out once; those that fail for a reason
/// that may pass (``SendError/isRetryable``) go again in the next round, after a backoff,
/// until delivered or out of attempts. A stream that terminates is replaced at once, so one
/// broken connection costs only the objects it carried.
///
/// An attempt counts for an object that was written (or whose stream could not connect);
/// one that was still queued when another object's failure ended its stream is
/// ``SendError/unsent`` and goes again without losing an attempt.
final class SendRun: SendRunning {
    /// What each object carries to its completion: its place in the send, and the open-file
    /// place its file holds (given back when the object completes).
    struct Ticket: Sendable {
        /// The object's index.
        var index: Int
        /// The budget its open file counts against; nil for objects without a file.
        var file: OpenFileBudget?
    }

    /// One object that failed for good.
    struct Failure: Sendable {
        /// The object's name.
        var object: String
        /// Why it failed at the last attempt.
        var error: SendError
        /// The destination node of the failed copy, with `--cluster`.
        var node: String? = nil
    }

    private struct State {
        /// Streams by slot; a terminated one is replaced before the next object goes to its slot.
        var streams: [ObjStream] = []
        /// Objects to send again in the next round, with their last error.
        var retry: [(index: Int, name: String, error: SendError)] = []
        /// Attempts of the objects that failed at least once.
        var attempts: [Int: Int] = [:]
        /// Every failure for good, kept only for `--report`.
        var failures: [Failure] = []
        var stopped = false
    }

    private let url: String
    private let options: StreamOptions
    let streamCount: Int
    private let retries: Int
    private let keepsFailures: Bool
    private let progress: SendProgress
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)

    /// Prepares a send.
    /// - Parameters:
    ///   - url: The endpoint.
    ///   - options: The streams' options (their sent callback is the run's).
    ///   - streamCount: How many streams at once.
    ///   - retries: How many times a failed object goes again.
    ///   - keepsFailures: Whether to keep every failure (for `--report`).
    ///   - progress: Where deliveries and failures are counted.
    init(
        url: String, options: StreamOptions, streamCount: Int, retries: Int, keepsFailures: Bool,
        progress: SendProgress
    ) {
        self.url = url
        self.streamCount = streamCount
        self.retries = retries
        self.keepsFailures = keepsFailures
        self.progress = progress
        self.options = options
    }

    /// Checks that streams can be made (the URL and the options).
    /// - Throws: ``SendError`` when they cannot.
    func validate() throws(SendError) {
        try ObjStream.validate(url: url, options: options)
    }

    /// The failures for good so far (empty unless kept for `--report`).
    var failures: [Failure] { state.withLock { $0.failures } }

    /// Sends every object, in rounds.
    /// - Parameters:
    ///   - count: How many objects.
    ///   - isSending: Whether no signal has stopped the send.
    ///   - object: Makes object `index` to send, with a ``Ticket`` as its context (nil when it cannot
    ///     be made: recorded with ``fail(_:_:)``).
    func run(count: Int, isSending: () -> Bool, object: (Int) -> OutgoingObject?) {
        var round: [Int]? = nil  // nil: the first round, every index in order
        var backoff = RetryBackoff.rounds
        while true {
            let indices = round.map { AnyCollection($0) } ?? AnyCollection(0..<count)
            let deliveredBefore = progress.objects.load(ordering: .relaxed)
            send(indices, isSending: isSending, object: object)
            // The sleeps grow only while rounds deliver nothing: a receiver that takes objects
            // between faults is not slowed down.
            if progress.objects.load(ordering: .relaxed) > deliveredBefore { backoff = RetryBackoff.rounds }
            let next = state.withLock { state in
                defer { state.retry.removeAll() }
                return state.retry.sorted { $0.index < $1.index }
            }
            if next.isEmpty { return }
            if !isSending() || state.withLock({ $0.stopped }) {
                for entry in next { fail(entry.name, entry.error) }
                return
            }
            _ = wake.wait(timeout: .now() + .nanoseconds(Int(backoff.next() / .nanoseconds(1))))
            round = next.map(\.index)
        }
    }

    /// Stops the streams of the current round and the backoff; no more rounds follow.
    func stop() {
        let streams = state.withLock { state in
            state.stopped = true
            return state.streams
        }
        for stream in streams { stream.stop() }
        wake.signal()
    }

    // MARK: one round

    private func send(_ indices: AnyCollection<Int>, isSending: () -> Bool, object: (Int) -> OutgoingObject?) {
        var slot = 0
        for index in indices {
            if !isSending() || state.withLock({ $0.stopped }) { break }
            guard let outgoing = object(index) else { continue }
            guard let stream = stream(at: slot) else { break }
            slot = (slot + 1) % streamCount
            // A refused object is completed (and its failure recorded or retried) by the callback.
            try? stream.send(outgoing)
        }
        let streams = state.withLock { state in
            defer { state.streams.removeAll() }
            return state.streams
        }
        // A signal may have stopped the loop before ``stop()`` saw these streams: they stop
        // here, never end gracefully, whichever of the two threads took them; `fin()` then
        // waits until every object of theirs has completed.
        let stopping = !isSending() || state.withLock { $0.stopped }
        for stream in streams {
            if stopping { stream.stop() }
            stream.fin()
            if let error = stream.terminationReason?.error { progress.streamErrors.record("stream \(stream)", error) }
        }
    }

    /// The stream of a slot: a new one when the slot is empty or its stream terminated; nil
    /// once the run is stopped.
    private func stream(at slot: Int) -> ObjStream? {
        let options = streamOptions
        let (current, fresh): (ObjStream?, ObjStream?) = state.withLock { state in
            let current = state.streams.indices.contains(slot) ? state.streams[slot] : nil
            if let current, !current.isTerminated { return (current, current) }
            // Made under the lock, so that a stop cannot miss it; the URL and options were validated.
            guard !state.stopped, let fresh = try? ObjStream(url: url, options: options) else { return (current, nil) }
            if current != nil { state.streams[slot] = fresh } else { state.streams.append(fresh) }
            return (current, fresh)
        }
        if let current, current !== fresh {
            current.fin()
            if let error = current.terminationReason?.error { progress.streamErrors.record("stream \(current)", error) }
        }
        return fresh
    }

    private var streamOptions: StreamOptions {
        var options = self.options
        options.sentCallback = { [self] header, context, error in
            let ticket = context as? Ticket
            ticket?.file?.release()  // the file's object completed: its file is closed
            completed(index: ticket?.index ?? -1, header: header, error: error)
        }
        return options
    }

    // MARK: completions

    private func completed(index: Int, header: ObjectHeader, error: SendError?) {
        guard let error else {
            progress.delivered(size: header.attributes.size)
            return
        }
        let retried: Bool = state.withLock { state in
            guard error.isRetryable, index >= 0, !state.stopped else { return false }
            let counts = !error.unsent || error.code == .connectFailed
            let used = state.attempts[index, default: 0] + (counts ? 1 : 0)
            guard used <= retries else { return false }
            state.attempts[index] = used
            state.retry.append((index, header.objectName, error))
            return true
        }
        if !retried { fail(header.objectName, error) }
    }

    /// Records an object that failed for good.
    /// - Parameters:
    ///   - name: The object's name.
    ///   - error: Why it failed.
    func fail(_ name: String, _ error: SendError) {
        progress.failures.record(name, error)
        if keepsFailures { state.withLock { $0.failures.append(Failure(object: name, error: error)) } }
    }
}

extension RetryBackoff {
    /// The sleeps between rounds of a send: BEHAVIOR.md's backoff, 200 ms x1.5 up to 3 s.
    static var rounds: RetryBackoff { RetryBackoff(first: .milliseconds(200), cap: .seconds(3)) }
}
