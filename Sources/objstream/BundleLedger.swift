import ObjStreamSend
import ObjStreamWire
import Synchronization

/// The accounts of one `objstream send --cluster`, per copy (one per object and destination):
/// delivered and failed copies per node, and the copies to send again in the next round.
///
/// An attempt counts for a copy that was written (or whose stream could not connect), as in
/// ``SendRun``; a copy still queued when its stream ended for another's failure goes again
/// without losing one.
final class BundleLedger: Sendable {
    /// What a node got.
    private struct NodeCounts {
        var delivered = 0
        var bytes: Int64 = 0
        var failed = 0
    }

    private struct State {
        var nodes: [String: NodeCounts] = [:]
        /// Copies to send again in the next round: object index to its name and nodes.
        var retry: [Int: (name: String, nodes: [String])] = [:]
        /// Attempts of the copies that failed at least once, by object index and node.
        var attempts: [Int: [String: Int]] = [:]
        /// Every failure for good, kept only for `--report`.
        var failures: [SendRun.Failure] = []
        var stopped = false
    }

    /// The destinations, in map order.
    let destinations: [String]
    private let retries: Int
    private let keepsFailures: Bool
    private let progress: SendProgress
    private let state = Mutex(State())

    /// Creates empty accounts.
    /// - Parameters:
    ///   - destinations: The destination node ids, in map order.
    ///   - retries: How many times a failed copy goes again.
    ///   - keepsFailures: Whether to keep every failure (for `--report`).
    ///   - progress: Where delivered and failed copies are counted.
    init(destinations: [String], retries: Int, keepsFailures: Bool, progress: SendProgress) {
        self.destinations = destinations
        self.retries = retries
        self.keepsFailures = keepsFailures
        self.progress = progress
    }

    /// Accounts for one completed copy: delivered, to send again, or failed for good.
    /// - Parameters:
    ///   - node: The copy's destination.
    ///   - header: The object's header.
    ///   - index: The object's index (-1: unknown, never sent again).
    ///   - error: The copy's error.
    func copyCompleted(node: String, header: ObjectHeader, index: Int, error: SendError?) {
        guard let error else {
            let size = max(0, header.attributes.size)
            progress.delivered(size: size)
            state.withLock { s in
                s.nodes[node, default: NodeCounts()].delivered += 1
                s.nodes[node, default: NodeCounts()].bytes += size
            }
            return
        }
        let retried: Bool = state.withLock { s in
            guard error.isRetryable, index >= 0, !s.stopped else { return false }
            let counts = !error.unsent || error.code == .connectFailed
            let used = s.attempts[index, default: [:]][node, default: 0] + (counts ? 1 : 0)
            guard used <= retries else { return false }
            s.attempts[index, default: [:]][node] = used
            s.retry[index, default: (header.objectName, [])].nodes.append(node)
            return true
        }
        if !retried { fail(header.objectName, node: node, error) }
    }

    /// Records a copy that failed for good.
    /// - Parameters:
    ///   - name: The object's name.
    ///   - node: The copy's destination.
    ///   - error: Why.
    func fail(_ name: String, node: String, _ error: SendError) {
        progress.failures.record("\(name) to node \(node)", error)
        state.withLock { s in
            s.nodes[node, default: NodeCounts()].failed += 1
            if keepsFailures { s.failures.append(SendRun.Failure(object: name, error: error, node: node)) }
        }
    }

    /// Takes the copies to send again, by object index in order.
    /// - Returns: Each object's index, name and nodes.
    func takeRetries() -> [(index: Int, name: String, nodes: [String])] {
        state.withLock { s in
            defer { s.retry.removeAll() }
            return s.retry.sorted { $0.key < $1.key }.map { ($0.key, $0.value.name, $0.value.nodes) }
        }
    }

    /// Says that no copy is sent again from now on.
    func markStopped() { state.withLock { $0.stopped = true } }

    /// Whether ``markStopped()`` was called.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// The failures for good so far (empty unless kept).
    var failures: [SendRun.Failure] { state.withLock { $0.failures } }

    /// `node ID: sent N objects, B bytes, F failed`, one per destination in map order.
    var lines: [String] {
        let nodes = state.withLock { $0.nodes }
        return destinations.map { id in
            let n = nodes[id] ?? NodeCounts()
            return "node \(id): sent \(n.delivered) objects, \(n.bytes) bytes, \(n.failed) failed"
        }
    }

    /// The per-node entries of the report, in map order.
    var reports: [SendReport.Node] {
        let nodes = state.withLock { $0.nodes }
        return destinations.map { id in
            let n = nodes[id] ?? NodeCounts()
            return SendReport.Node(node: id, delivered: n.delivered, bytes: n.bytes, failed: n.failed)
        }
    }
}
