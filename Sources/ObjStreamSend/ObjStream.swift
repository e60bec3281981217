#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ObjStreamWire
import Synchronization

/// A long-lived object stream to one receiver (the reference's `Stream`): objects go
/// out in order on HTTP/1.1 chunked `PUT` requests, opened lazily and ended after
/// idle periods, and every object is completed exactly once.
///
/// Threads: one sender thread puts objects on the wire; one completion thread
/// completes them (closes the source, calls the callback) in the same order, in
/// batches handed over after each write, never per chunk. Both start with the first
/// `send` or `fin` and end when the stream terminates.
///
/// Mapping to the reference: `Send` is ``send(_:)``, `Fin` ``fin()``, `Stop`/`Abort`
/// ``stop()``/``abort()``, `IsTerminated` ``isTerminated``, `TermInfo`
/// ``terminationReason``, `ID` ``id``, `URL` ``url``, `String` ``description``.
public final class ObjStream: Sendable, CustomStringConvertible {
    /// The destination.
    public let url: EndpointURL
    /// The destination node's id (`dstID`), passed to the termination callback.
    public let destinationID: String
    /// The session id (`Ais-Session-Id`), the same for every request of the stream.
    public let sessionID: Int64
    /// The endpoint name (`trname`).
    public let endpointName: String
    let options: StreamOptions
    let dryRun: Bool
    let queue: SendQueue
    let completions: CompletionQueue
    let metrics: SenderMetrics
    let counters: StreamCounters
    private let state = Mutex(LifeState())
    /// Whether the threads started (or `stop` came first): set once, read without a lock.
    private let started = Atomic(false)
    /// Whether `state.reason` is set, written under the lock and read without it, so that
    /// `send` takes no lock per object.
    private let terminated = Atomic(false)
    /// The connection of the open request, for `stop()` to shut down.
    let liveConnection = Mutex<SocketConnection?>(nil)

    private struct LifeState {
        var reason: TerminationReason?
        var graceTickUsed = false
        var idleTicksLeft = 0
    }

    /// Creates a stream; opens nothing.
    /// - Parameters:
    ///   - url: `http://host:port/v1/objstream/<trname>`.
    ///   - destinationID: The receiver node's id.
    ///   - options: Per-stream settings and callbacks.
    /// - Throws: ``SendError`` for an invalid URL or options.
    public init(url: String, destinationID: String = "", options: StreamOptions = StreamOptions()) throws(SendError) {
        try options.validate()
        self.url = try EndpointURL(url)
        self.destinationID = destinationID
        self.sessionID = SessionID.next()
        self.endpointName = self.url.endpointName
        self.options = options
        self.dryRun = options.dryRun ?? StreamOptions.dryRunFromEnvironment
        let counters = StreamCounters()
        let metrics = SenderMetrics(registry: options.metrics)
        self.counters = counters
        self.metrics = metrics
        // Counted where the push waits, with no closure made per object.
        self.queue = SendQueue(burst: options.burst) {
            counters.queueFull.add(1, ordering: .relaxed)
            metrics.queueFull.increment()
        }
        let streamCallback = options.sentCallback
        self.completions = CompletionQueue(backlog: options.completionBacklog) { object, error in
            ObjStream.complete(&object, error: error, streamCallback: streamCallback, metrics: metrics)
        }
        metrics.streamsOpen.increment()
        state.withLock { $0.idleTicksLeft = idleTickCount }
        options.collector?.add(self)
    }

    /// Checks what ``init(url:destinationID:options:)`` checks, making nothing.
    /// - Parameters:
    ///   - url: The destination.
    ///   - options: Per-stream settings.
    /// - Throws: ``SendError`` for an invalid URL or options.
    public static func validate(url: String, options: StreamOptions) throws(SendError) {
        try options.validate()
        _ = try EndpointURL(url)
    }

    deinit {
        // Only a stream that never started gets here unterminated: a started one is held by its
        // sender thread until it ended itself (see `StreamSender.waitForWork(into:)`).
        if !terminated.load(ordering: .acquiring) { metrics.streamsOpen.decrement() }
    }

    /// The stream's id: endpoint name and session id (`ID()`).
    public var id: (endpointName: String, sessionID: Int64) { (endpointName, sessionID) }

    /// `trname[sid=>dst]`, with `(z)` when compressed.
    public var description: String {
        "\(endpointName)[\(sessionID)=>\(destinationID)]" + (options.compressed ? "(z)" : "")
    }

    /// Whether the stream has terminated (`IsTerminated()`).
    public var isTerminated: Bool { terminated.load(ordering: .acquiring) }

    /// Whether the stream's threads started (with its first `send` or `fin`, or a `stop`).
    var isStarted: Bool { started.load(ordering: .acquiring) }

    /// Why the stream terminated, or nil while it runs (`TermInfo()`).
    public var terminationReason: TerminationReason? { state.withLock { $0.reason } }

    /// How often `send` found the queue full (`chanFull`).
    public var queueFullCount: Int { counters.queueFull.load(ordering: .relaxed) }
    /// Data objects put on the wire.
    public var objectsSent: Int { counters.objects.load(ordering: .relaxed) }
    /// Data bytes put on the wire.
    public var bytesSent: Int64 { counters.bytes.load(ordering: .relaxed) }
    /// Requests opened.
    public var requestCount: Int { counters.requests.load(ordering: .relaxed) }
    /// Data objects put on the wire since the current (or last) request started.
    public var requestObjects: Int {
        counters.objects.load(ordering: .relaxed) - counters.requestStartObjects.load(ordering: .relaxed)
    }
    /// Data bytes put on the wire since the current (or last) request started.
    public var requestBytes: Int64 {
        counters.bytes.load(ordering: .relaxed) - counters.requestStartBytes.load(ordering: .relaxed)
    }
    /// Frame bytes (before compression) of the current (or last) request: its stream offset.
    public var offset: Int64 { counters.offset.load(ordering: .relaxed) }

    /// Queues an object (`Send`): returns at once unless the queue holds `burst` objects.
    ///
    /// A refused object is completed (source closed, callback called) before this throws.
    ///
    /// From a completion callback of this stream (its completion thread) it never waits: the
    /// object is queued even beyond `burst`, because the sender thread may be waiting for that
    /// thread (it waits once ``StreamOptions/completionBacklog`` objects wait for completion),
    /// so a callback may send on its own stream without a deadlock. A callback that sends on
    /// another stream waits as usual; streams whose callbacks send to each other can deadlock
    /// when their queues are full. A callback must not call ``fin()`` or
    /// ``waitUntilCompleted(timeout:)``, which wait for that thread.
    /// - Parameter object: The object; its header's size says how many bytes its source yields.
    /// - Throws: ``SendError``: reserved opcode, invalid or oversized header, unsized
    ///   without PDUs, no source, or the stream terminated.
    public func send(_ object: consuming OutgoingObject) throws(SendError) {
        do {
            object.encodedHeaderLength = try check(object)
        } catch {
            var object = object
            Self.complete(&object, error: error, streamCallback: options.sentCallback, metrics: metrics)
            throw error
        }
        startIfNeeded()
        let refused = queue.push(object, mayWait: !completions.isCompletionThread)
        if case (let reason, var object)? = refused {
            var error = SendError(code: .terminated, message: "stream \(self) terminated (\(reason))")
            error.unsent = true
            Self.complete(&object, error: error, streamCallback: options.sentCallback, metrics: metrics)
            throw error
        }
    }

    /// Sends the end-of-stream marker, ends the request, and blocks until every queued
    /// object is completed (`Fin()`); afterwards ``terminationReason`` is `.endOfStream`.
    public func fin() {
        startIfNeeded()
        queue.pushControl(.fin)
        _ = completions.waitUntilDone(timeout: nil)
    }

    /// Terminates at once (`Stop()`): queued and in-flight objects complete with a
    /// ``SendError/Code/stopped`` error; ``terminationReason`` is `.stopped`. Does not
    /// wait; see ``waitUntilCompleted(timeout:)``.
    public func stop() {
        let neverStarted = started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        guard !neverStarted else {
            _ = queue.close(.stopped)
            didTerminate(.stopped)
            completions.markDone()
            return
        }
        queue.requestStop()
        liveConnection.withLock { $0?.shutdown() }
    }

    /// The same as ``stop()`` (`Abort()`).
    public func abort() { stop() }

    /// Waits until the stream has terminated and every object is completed.
    /// - Parameter timeout: How long to wait.
    /// - Returns: Whether that happened in time.
    public func waitUntilCompleted(timeout: Duration) -> Bool {
        completions.waitUntilDone(timeout: timeout)
    }

    // MARK: internals

    private var idleTickCount: Int {
        guard let collector = options.collector else { return Int.max }
        let ticks = options.idleTeardown / collector.tick
        return max(1, Int(ticks.rounded(.up)))
    }

    /// Checks an object before it is queued.
    /// - Parameter object: The object to send.
    /// - Returns: Its header's encoded length.
    /// - Throws: ``SendError``: why the stream refuses it.
    private func check(_ object: OutgoingObject) throws(SendError) -> Int {
        if object.header.opcode.isReserved {
            let header = object.header
            throw SendError(
                code: .reservedOpcode,
                message: "stream \(self): opcode \(header.opcode) of \(header.objectName) is reserved for the transport")
        }
        let hlen: Int
        do {
            hlen = try HeaderCodec.validate(object.header)
        } catch {
            throw SendError(
                code: .invalidHeader, message: "stream \(self): header of \(object.header.objectName): \(error)",
                cause: error)
        }
        if hlen > options.maxHeaderSize {
            let header = object.header
            throw SendError(
                code: .headerTooLarge,
                message: "stream \(self): header of \(header.objectName) is \(hlen) bytes, over the maximum \(options.maxHeaderSize)")
        }
        let size = object.header.attributes.size
        if size == WireLimits.unknownSize && options.pduSize == 0 {
            let header = object.header
            throw SendError(
                code: .unsizedWithoutPDUs,
                message: "stream \(self): \(header.objectName) has unknown size (-1), which needs a stream with PDUs")
        }
        if size != 0 && object.source == nil {
            let header = object.header
            throw SendError(
                code: .missingSource,
                message: "stream \(self): \(header.objectName) has size \(header.attributes.size) but no source")
        }
        // A flag, not the lock, per object; a stream that terminates after this look refuses
        // the object in the queue's push instead.
        if terminated.load(ordering: .acquiring), let reason = state.withLock({ $0.reason }) {
            var error = SendError(code: .terminated, message: "stream \(self) terminated (\(reason))")
            error.unsent = true
            throw error
        }
        return hlen
    }

    private func startIfNeeded() {
        if started.load(ordering: .acquiring) { return }
        guard started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        let sender = StreamSender(stream: self)
        let completions = self.completions
        let sid = sessionID
        let tx = Thread {
            Self.nameThread("ostx-\(sid)")
            sender.run()
        }
        let cq = Thread {
            Self.nameThread("oscq-\(sid)")
            completions.run()
        }
        tx.start()
        cq.start()
    }

    /// Sets the calling thread's name (at most 15 bytes), as `/proc/self/task/*/comm` shows it.
    static func nameThread(_ name: String) {
        let short = String(name.utf8.prefix(15))!
        Thread.current.name = short
        // Foundation's setter now and then leaves the kernel's name alone (the soak test saw a
        // stream thread keep its creator's name), so write it directly too
        // (`pthread_setname_np` is not exported to Swift).
        guard let comm = try? FileDescriptor(opening: "/proc/thread-self/comm", flags: O_WRONLY) else { return }
        var name = short
        try? name.withUTF8 { try comm.writeAll(UnsafeRawBufferPointer($0)) }
        comm.close()
    }

    /// Records the termination once: metrics, and the termination callback for errors.
    func didTerminate(_ reason: TerminationReason) {
        let first: Bool = state.withLock { s in
            if s.reason != nil { return false }
            s.reason = reason
            terminated.store(true, ordering: .releasing)
            return true
        }
        guard first else { return }
        metrics.streamsOpen.decrement()
        metrics.terminations.labels(reason.name).increment()
        if case .error(let e) = reason { options.terminationCallback?(destinationID, e) }
    }

    /// Completes one object: closes and releases its source, then calls its callback, else the stream's.
    /// - Parameters:
    ///   - object: The object, completed in place (its source moved out, nothing copied).
    ///   - error: Why it failed; nil: sent (or delivered).
    ///   - streamCallback: The stream's callback.
    ///   - metrics: Where failed completions are counted.
    static func complete(
        _ object: inout OutgoingObject, error: SendError?, streamCallback: SentCallback?, metrics: SenderMetrics
    ) {
        object.closeSource()
        if error != nil { metrics.completionsFailed.increment() }
        // Two branches, not `object.callback ?? streamCallback`: that boxes a reabstraction
        // thunk, a heap allocation per object.
        if let callback = object.callback {
            callback(object.header, object.context, error)
        } else if let streamCallback {
            streamCallback(object.header, object.context, error)
        }
    }

    /// One collector tick.
    /// - Returns: false when the collector should forget the stream.
    func collectorTick() -> Bool {
        enum Action { case keep, idle, reap }
        let action: Action = state.withLock { s in
            if s.reason != nil {
                if s.graceTickUsed { return .reap }
                s.graceTickUsed = true
                return .keep
            }
            guard started.load(ordering: .acquiring) else { return .keep }
            if counters.activity.exchange(false, ordering: .relaxed) {
                s.idleTicksLeft = idleTickCount
                return .keep
            }
            guard counters.requestOpen.load(ordering: .relaxed) else { return .keep }
            s.idleTicksLeft -= 1
            if s.idleTicksLeft > 0 { return .keep }
            s.idleTicksLeft = idleTickCount
            return .idle
        }
        switch action {
        case .keep: return true
        case .idle:
            queue.pushControl(.idleTick)
            return true
        case .reap:
            let left = queue.close(.stopped)
            let error = SendError(code: .terminated, message: "stream \(self) terminated (reaped)")
            for var o in left { Self.complete(&o, error: error, streamCallback: options.sentCallback, metrics: metrics) }
            return false
        }
    }
}
