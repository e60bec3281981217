import ObjStreamWire
import Synchronization

/// An endpoint that counts what it receives and discards the bytes.
///
/// Its receivers count locally and add to the endpoint's totals once per session,
/// so the data path does no shared-memory work at all.
public final class SinkEndpoint: Endpoint {
    private let totals = Mutex(Totals())

    /// What a sink has received over all its sessions (ended sessions only).
    public struct Totals: Sendable, Equatable {
        /// Complete data objects.
        public var objects = 0
        /// Data bytes of data objects (complete or not).
        public var bytes: Int64 = 0
        /// Control objects.
        public var controlObjects = 0
        /// Sessions that ended cleanly.
        public var cleanSessions = 0
        /// Sessions that ended broken, by `sbr_*` code.
        public var brokenSessions: [String: Int] = [:]
    }

    /// Creates a sink.
    public init() {}

    /// The totals of all ended sessions.
    public var received: Totals { totals.withLock { $0 } }

    public func makeReceiver(for session: SessionInfo) -> any ObjectReceiver { SinkReceiver(endpoint: self) }

    fileprivate func add(_ session: Totals) {
        totals.withLock { t in
            t.objects += session.objects
            t.bytes += session.bytes
            t.controlObjects += session.controlObjects
            t.cleanSessions += session.cleanSessions
            t.brokenSessions.merge(session.brokenSessions, uniquingKeysWith: +)
        }
    }
}

/// The receiver of a ``SinkEndpoint``: counts one session.
final class SinkReceiver: ObjectReceiver {
    private let endpoint: SinkEndpoint
    private var session = SinkEndpoint.Totals()
    private var isControl = false

    init(endpoint: SinkEndpoint) { self.endpoint = endpoint }

    func receive(header: ObjectHeader) { isControl = header.isControl }

    func receive(data: UnsafeRawBufferPointer) {
        if !isControl { session.bytes += Int64(data.count) }
    }

    func endObject() {
        if isControl { session.controlObjects += 1 } else { session.objects += 1 }
    }

    func end(error: BrokenStreamError?) {
        if let error {
            session.brokenSessions[error.code.description, default: 0] += 1
        } else {
            session.cleanSessions += 1
        }
        endpoint.add(session)
    }
}
