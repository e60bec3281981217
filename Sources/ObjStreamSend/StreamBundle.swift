import Foundation
import ObjStreamCluster
import Synchronization

/// Streams from one node to the other members of a cluster map (the reference's bundle):
/// ``BundleOptions/multiplier`` streams per destination taken in turn, objects sent to every
/// destination (broadcast) or to some, and each object completed once, after its last copy.
///
/// A destination whose streams broke keeps failing its copies (``SendError/Code/terminated``)
/// until ``reopen(_:)``; a new map version (``apply(_:)``) adds and removes destinations
/// without touching the streams to the nodes that stay.
public final class StreamBundle: Sendable {
    private struct State {
        var map: ClusterMap
        /// The destinations, in map order.
        var destinations: [BundleDestination]
        var closed = false
    }

    /// What the bundle was made with.
    public let options: BundleOptions
    private let state: Mutex<State>

    /// Creates the streams (connecting lazily, with the first object) to every member of the
    /// map but the local node, or to ``BundleOptions/nodes``.
    /// - Parameters:
    ///   - map: The cluster map.
    ///   - options: The bundle's options.
    /// - Throws: ``SendError``: ``SendError/Code/destinationMissing`` naming listed nodes that are
    ///   not in the map, ``SendError/Code/invalidOptions`` for a multiplier out of 1...256, or what
    ///   a stream's URL or options make it throw.
    public init(map: ClusterMap, options: BundleOptions) throws(SendError) {
        guard (1...256).contains(options.multiplier) else {
            throw SendError(code: .invalidOptions, message: "bundle multiplier \(options.multiplier) must be 1..256")
        }
        if let listed = options.nodes {
            let unknown = listed.filter { map.node($0) == nil || $0 == options.localNodeID }.sorted()
            if !unknown.isEmpty {
                var error = SendError(
                    code: .destinationMissing,
                    message: "nodes \(unknown.joined(separator: ", ")) are not peers of \(options.localNodeID) "
                        + "in cluster map version \(map.version)")
                error.failedDestinations = unknown
                throw error
            }
        }
        self.options = options
        var destinations: [BundleDestination] = []
        for node in Self.destinations(of: map, options) { destinations.append(try BundleDestination(node: node, options: options)) }
        state = Mutex(State(map: map, destinations: destinations))
    }

    private static func destinations(of map: ClusterMap, _ options: BundleOptions) -> [ClusterNode] {
        map.peers(of: options.localNodeID).filter { options.nodes?.contains($0.id) ?? true }
    }

    /// The cluster map in use.
    public var map: ClusterMap { state.withLock { $0.map } }

    /// The destination node ids, in map order.
    public var destinationIDs: [String] { state.withLock { $0.destinations.map(\.node.id) } }

    /// The streams to a node, in the order objects take them.
    /// - Parameter node: A destination's id.
    /// - Returns: Its streams; empty when it is not a destination.
    public func streams(to node: String) -> [ObjStream] { destination(node)?.streams ?? [] }

    /// Whether a destination's streams broke (one ended with an error) since they were (re)opened.
    /// - Parameter node: A destination's id.
    /// - Returns: nil when it is not a destination.
    public func isBroken(_ node: String) -> Bool? { destination(node)?.isBroken }

    private func destination(_ id: String) -> BundleDestination? {
        state.withLock { $0.destinations.first { $0.node.id == id } }
    }

    /// Sends an object to every destination (broadcast), or to the listed ones.
    ///
    /// The first destination gets the object's source, every other one a
    /// ``ReopenableSource/reopen()`` of it (N-1 reopens for N destinations, all before the
    /// original is queued, so none runs while the original is read); a copy whose
    /// source cannot be reopened completes with that error (``SendError/Code/sourceFailed``).
    /// The object's callback (else ``BundleOptions/sentCallback``) fires once, after the last
    /// copy completed, with the first error and ``SendError/failedDestinations``.
    /// - Parameters:
    ///   - object: The object.
    ///   - nodes: The destination ids; nil: all, in map order.
    /// - Throws: ``SendError``: ``SendError/Code/destinationMissing`` naming the listed nodes that
    ///   are not destinations, or when there are none (nothing is sent; the object is completed with
    ///   that error), ``SendError/Code/terminated`` after ``fin()`` or ``stop()``, else the
    ///   first error of a copy that a stream refused or that could not be reopened (the object
    ///   is still completed once).
    public func send(_ object: __owned OutgoingObject, to nodes: [String]? = nil) throws(SendError) {
        let (targets, missing, closed) = state.withLock { s -> ([BundleDestination], [String], Bool) in
            guard let nodes else { return (s.destinations, [], s.closed) }
            var targets: [BundleDestination] = []
            var missing: [String] = []
            for id in nodes {
                if let d = s.destinations.first(where: { $0.node.id == id }) { targets.append(d) } else { missing.append(id) }
            }
            return (targets, missing, s.closed)
        }
        let callback = object.callback ?? options.sentCallback
        if closed {
            var error = SendError(
                code: .terminated, message: "\(object.header.objectName): bundle \(options.endpointName) was closed (fin or stop)")
            error.unsent = true
            object.source?.close()
            callback?(object.header, object.context, error)
            throw error
        }
        if !missing.isEmpty || targets.isEmpty {
            var error = SendError(
                code: .destinationMissing,
                message: missing.isEmpty
                    ? "\(object.header.objectName): bundle \(options.endpointName) has no destinations"
                    : "\(object.header.objectName): \(missing.joined(separator: ", ")) not a destination of bundle "
                        + "\(options.endpointName) (destinations: \(destinationIDs.joined(separator: ", ")))")
            error.failedDestinations = missing
            object.source?.close()
            callback?(object.header, object.context, error)
            throw error
        }
        let completion = BundleCompletion(count: targets.count, context: object.context, callback: callback)
        var copy = object
        copy.callback = nil
        copy.context = completion
        var firstError: SendError?
        // The reopened copies go first, so that every reopen happens before the original is read.
        for destination in targets.dropFirst() {
            switch Self.reopen(object, for: destination.node.id) {
            case .failure(let error):
                firstError = firstError ?? error
                destination.fail(object.header, completion, error: error)
            case .success(let source):
                copy.source = source
                do {
                    try destination.send(copy)
                } catch {
                    firstError = firstError ?? error
                }
            }
        }
        copy.source = object.source
        do {
            try targets[0].send(copy)
        } catch {
            firstError = firstError ?? error
        }
        if let firstError { throw firstError }
    }

    /// A fresh copy of an object's source for one more destination.
    private static func reopen(_ object: OutgoingObject, for node: String) -> Result<(any ObjectSource)?, SendError> {
        guard let source = object.source else { return .success(nil) }
        let name = object.header.objectName
        guard let reopenable = source as? any ReopenableSource else {
            return .failure(
                SendError(
                    code: .sourceFailed,
                    message: "\(name): its source cannot be reopened for node \(node) (not a ReopenableSource)"))
        }
        do {
            return .success(try reopenable.reopen())
        } catch {
            return .failure(
                SendError(code: .sourceFailed, message: "\(name): reopening its source for node \(node) failed: \(error)", cause: error))
        }
    }

    /// Replaces a destination's terminated streams (after they broke) with new ones; its
    /// termination callback may fire again.
    /// - Parameter node: The destination's id.
    /// - Returns: How many streams were replaced.
    /// - Throws: ``SendError/Code/destinationMissing`` when it is not a destination.
    @discardableResult
    public func reopen(_ node: String) throws(SendError) -> Int {
        guard let destination = destination(node) else {
            var error = SendError(code: .destinationMissing, message: "\(node) is not a destination of bundle \(options.endpointName)")
            error.failedDestinations = [node]
            throw error
        }
        return destination.reopen()
    }

    /// Moves the bundle to a newer cluster map: streams to new members open, streams to members
    /// that left (or whose URL changed) end gracefully (every queued object completes before
    /// this returns), streams to the others stay as they are (same sessions).
    ///
    /// Objects sent while this runs go to the destinations of the old map or of the new one.
    /// - Parameter map: The new map.
    /// - Returns: The node ids added and removed.
    /// - Throws: ``SendError/Code/invalidOptions`` when the map's version is not newer than the
    ///   bundle's, or what a new node's URL makes a stream throw (nothing changes then).
    @discardableResult
    public func apply(_ map: ClusterMap) throws(SendError) -> (added: [String], removed: [String]) {
        let (added, removed) = try state.withLock { (s) throws(SendError) -> ([String], [BundleDestination]) in
            guard map.version > s.map.version else {
                throw SendError(
                    code: .invalidOptions,
                    message: "cluster map version \(map.version) is not newer than the bundle's \(s.map.version)")
            }
            let wanted = Self.destinations(of: map, options)
            var next: [BundleDestination] = []
            var added: [String] = []
            for node in wanted {
                if let kept = s.destinations.first(where: { $0.node == node }) {
                    next.append(kept)
                } else {
                    next.append(try BundleDestination(node: node, options: options))
                    added.append(node.id)
                }
            }
            let removed = s.destinations.filter { old in !next.contains { $0 === old } }
            s.map = map
            s.destinations = next
            return (added, removed)
        }
        Self.parallel(removed) { $0.fin() }
        return (added, removed.map(\.node.id))
    }

    /// Ends every stream gracefully (the end-of-stream marker after every queued object),
    /// in parallel, and waits until every object completed. Later sends fail.
    public func fin() {
        Self.parallel(close()) { $0.fin() }
    }

    /// Stops every stream (queued and in-flight objects complete with ``SendError/Code/stopped``)
    /// and waits until every object completed. Later sends fail.
    public func stop() {
        Self.parallel(close()) { $0.stop() }
    }

    private func close() -> [BundleDestination] {
        state.withLock { s in
            s.closed = true
            return s.destinations
        }
    }

    /// Runs `body` for each destination on a thread of its own and waits for all.
    private static func parallel(_ destinations: [BundleDestination], _ body: @escaping @Sendable (BundleDestination) -> Void) {
        let group = DispatchGroup()
        for destination in destinations {
            group.enter()
            Thread {
                body(destination)
                group.leave()
            }.start()
        }
        group.wait()
    }
}
