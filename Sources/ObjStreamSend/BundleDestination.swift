import ObjStreamCluster
import ObjStreamWire
import Synchronization

/// One destination node of a ``StreamBundle``: its streams (the multiplier's worth), taken
/// in turn by the objects sent to it, its metrics, and whether its streams broke.
final class BundleDestination: Sendable {
    private struct State {
        var streams: [ObjStream] = []
        /// How many objects went to the node: the next one takes stream `sent % streams.count`.
        var sent = 0
        /// Whether a stream ended with an error since the streams were (re)opened.
        var broken = false
    }

    /// The node.
    let node: ClusterNode
    /// `<node url>/v1/objstream/<trname>`.
    let url: String
    let metrics: BundleMetrics
    private let multiplier: Int
    private let streamOptions: StreamOptions
    private let terminationCallback: TerminationCallback?
    private let copyCallback: CopyCallback?
    private let state = Mutex(State())

    /// Opens (lazily: no connection before the first object) `multiplier` streams to a node.
    /// - Parameters:
    ///   - node: The destination.
    ///   - options: The bundle's options.
    /// - Throws: ``SendError`` for a node URL or options that cannot make a stream.
    init(node: ClusterNode, options: BundleOptions) throws(SendError) {
        self.node = node
        url = try EndpointURL(node.url).description + "/" + options.endpointName
        metrics = BundleMetrics(registry: options.stream.metrics, node: node.id)
        multiplier = options.multiplier
        terminationCallback = options.terminationCallback
        var streamOptions = options.stream
        let id = node.id
        let metrics = self.metrics
        let copyCallback = options.copyCallback
        self.copyCallback = copyCallback
        streamOptions.sentCallback = { header, context, error in
            if error == nil {
                metrics.objects.increment()
                metrics.bytes.increment(by: UInt64(max(0, header.attributes.size)))
            } else {
                metrics.errors.increment()
            }
            let completion = context as? BundleCompletion
            copyCallback?(id, header, completion?.context, error)
            completion?.arrive(header, destination: id, error: error)
        }
        self.streamOptions = streamOptions
        try ObjStream.validate(url: url, options: streamOptions)
        state.withLock { s in s.streams = (0..<multiplier).map { _ in makeStream() } }
        updateOpenStreams()
    }

    /// A new stream to the node; its URL and options were validated.
    private func makeStream() -> ObjStream {
        var options = streamOptions
        options.terminationCallback = { [weak self] _, error in self?.streamBroke(error) }
        return try! ObjStream(url: url, destinationID: node.id, options: options)
    }

    /// The streams, in round-robin order.
    var streams: [ObjStream] { state.withLock { $0.streams } }

    /// Whether a stream ended with an error since the streams were (re)opened.
    var isBroken: Bool { state.withLock { $0.broken } }

    /// Queues a copy on the next stream in turn.
    /// - Parameter copy: The copy (its context is its ``BundleCompletion``).
    /// - Throws: What ``ObjStream/send(_:)`` throws (the copy is completed first).
    func send(_ copy: __owned OutgoingObject) throws(SendError) {
        let stream = state.withLock { s in
            defer { s.sent += 1 }
            return s.streams[s.sent % s.streams.count]
        }
        try stream.send(copy)
    }

    /// Completes a copy that never reaches a stream (its source could not be reopened).
    /// - Parameters:
    ///   - header: The object's header.
    ///   - completion: The object's shared completion.
    ///   - error: Why.
    func fail(_ header: ObjectHeader, _ completion: BundleCompletion, error: SendError) {
        metrics.errors.increment()
        copyCallback?(node.id, header, completion.context, error)
        completion.arrive(header, destination: node.id, error: error)
    }

    /// Replaces the terminated streams with new ones; live streams stay.
    /// - Returns: How many streams were replaced.
    func reopen() -> Int {
        let replaced: Int = state.withLock { s in
            var replaced = 0
            for i in s.streams.indices where s.streams[i].isTerminated {
                s.streams[i] = makeStream()
                replaced += 1
            }
            s.broken = false
            return replaced
        }
        updateOpenStreams()
        return replaced
    }

    /// Ends every stream (end-of-stream marker, every object completed); blocks until done.
    /// A stream that never carried anything is stopped: it has nothing to end.
    func fin() {
        for stream in streams {
            if stream.isStarted { stream.fin() } else { stream.stop() }
        }
        updateOpenStreams()
    }

    /// Stops every stream and waits until their objects completed.
    func stop() {
        let streams = self.streams
        for stream in streams { stream.stop() }
        for stream in streams { _ = stream.waitUntilCompleted(timeout: .seconds(365 * 24 * 3600)) }
        updateOpenStreams()
    }

    private func streamBroke(_ error: SendError) {
        let first: Bool = state.withLock { s in
            defer { s.broken = true }
            return !s.broken
        }
        updateOpenStreams()
        if first { terminationCallback?(node.id, error) }
    }

    private func updateOpenStreams() {
        metrics.streamsOpen.set(Int64(streams.count { !$0.isTerminated }))
    }
}
