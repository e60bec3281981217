import ObjStreamMetrics
import ObjStreamWire

/// The receive-side metric families (`objstream_rx_*`), registered once per registry.
///
/// Look an endpoint's series up once per session with ``endpoint(_:)`` and bump the
/// returned counters on the data path: no lookup and no lock per chunk.
public final class ReceiveMetrics: Sendable {
    /// The series of one endpoint, looked up once per session.
    public struct EndpointSeries: Sendable {
        /// `objstream_rx_objects_total{endpoint}`: complete data objects.
        public let objects: Counter
        /// `objstream_rx_bytes_total{endpoint}`: data bytes of data objects.
        public let bytes: Counter
        /// `objstream_rx_control_objects_total{endpoint}`: objects with a control opcode.
        public let controlObjects: Counter
        /// `objstream_rx_sessions_active{endpoint}`.
        public let sessionsActive: Gauge
        /// `objstream_rx_sessions_total{endpoint}`.
        public let sessions: Counter
        /// `objstream_rx_stored_objects_total{endpoint}`.
        public let storedObjects: Counter
        /// `objstream_rx_refused_objects_total{endpoint}`.
        public let refusedObjects: Counter
    }

    /// The code counted for a receiver that threw (beside the `sbr_*` codes).
    public static let handlerCode = "handler"

    private let objects: MetricFamily<Counter>
    private let bytes: MetricFamily<Counter>
    private let controlObjects: MetricFamily<Counter>
    private let sessionsActive: MetricFamily<Gauge>
    private let sessions: MetricFamily<Counter>
    private let storedObjects: MetricFamily<Counter>
    private let refusedObjects: MetricFamily<Counter>
    private let brokenByCode: [String: Counter]
    /// `objstream_rx_object_size_bytes`: sizes of complete data objects.
    public let objectSize: Histogram
    /// `objstream_rx_session_duration_seconds`: how long sessions lasted.
    public let sessionDuration: Histogram
    /// The file store's families (`objstream_store_*`), in the same registry.
    public let store: StoreMetrics

    /// Registers (or finds) the receive families in a registry.
    /// - Parameter registry: Where the families live; `.shared` is what `/metrics` serves.
    public init(registry: MetricsRegistry = .shared) {
        let label = ["endpoint"]
        objects = registry.counter("objstream_rx_objects_total", help: "Data objects received.", labels: label)
        bytes = registry.counter("objstream_rx_bytes_total", help: "Data bytes received (data objects only).", labels: label)
        controlObjects = registry.counter(
            "objstream_rx_control_objects_total", help: "Control objects received.", labels: label)
        sessionsActive = registry.gauge("objstream_rx_sessions_active", help: "Stream sessions open now.", labels: label)
        sessions = registry.counter("objstream_rx_sessions_total", help: "Stream sessions opened.", labels: label)
        storedObjects = registry.counter(
            "objstream_rx_stored_objects_total", help: "Objects written to the file store.", labels: label)
        refusedObjects = registry.counter(
            "objstream_rx_refused_objects_total", help: "Objects a receiver refused (the stream went on).",
            labels: label)
        let broken = registry.counter(
            "objstream_rx_broken_streams_total", help: "Streams that ended broken, by code.", labels: ["code"])
        var byCode: [String: Counter] = [:]
        for code in BrokenStreamError.Code.allCases.map(\.description) + [Self.handlerCode] {
            byCode[code] = broken.labels(code)
        }
        brokenByCode = byCode
        objectSize = registry.histogram(
            "objstream_rx_object_size_bytes", help: "Sizes of received data objects.",
            bounds: Histogram.exponentialBounds(start: 1024, factor: 4, count: 11)
        ).labels()
        sessionDuration = registry.histogram(
            "objstream_rx_session_duration_seconds", help: "Durations of stream sessions.",
            bounds: Histogram.exponentialBounds(start: 0.001, factor: 4, count: 12)
        ).labels()
        store = StoreMetrics(registry: registry)
    }

    /// The series of one endpoint.
    /// - Parameter name: The endpoint name.
    /// - Returns: Its counters and gauges, created at zero on first use.
    public func endpoint(_ name: String) -> EndpointSeries {
        EndpointSeries(
            objects: objects.labels(name), bytes: bytes.labels(name), controlObjects: controlObjects.labels(name),
            sessionsActive: sessionsActive.labels(name), sessions: sessions.labels(name),
            storedObjects: storedObjects.labels(name), refusedObjects: refusedObjects.labels(name))
    }

    /// The broken-stream counter of a code.
    /// - Parameter code: An `sbr_*` code or ``handlerCode``.
    /// - Returns: The counter (every code is registered up front).
    public func brokenStreams(_ code: String) -> Counter {
        brokenByCode[code] ?? brokenByCode[Self.handlerCode]!
    }
}
