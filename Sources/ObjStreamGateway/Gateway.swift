import CMicroHTTPD
import ObjStreamMetrics
import ObjStreamReceive
import ObjStreamWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The receive gateway: libmicrohttpd serving `PUT /v1/objstream/<trname>`,
/// `GET /metrics` and `GET /healthz`.
///
/// **Threading: one thread per connection** (`MHD_USE_INTERNAL_POLLING_THREAD |
/// MHD_USE_THREAD_PER_CONNECTION`). Streams are long-lived and few, and receivers may
/// block on purpose: a receiver that blocks then stalls only its own connection's
/// thread, so TCP flow control slows that one sender (back-pressure without any
/// buffering) while every other stream goes on. An event-loop mode would need
/// suspend/resume and a hop to another thread per chunk. Each chunk libmicrohttpd
/// hands over goes straight through the session's decoder to the receiver on that
/// thread: no copy, no allocation, no lock, no thread hop per chunk.
///
/// Call ``stop(grace:)`` to shut down: the gateway keeps itself alive while running.
///
/// Responses: stream clean end `200`; broken stream `400` with the `sbr_*` code; a
/// receiver that threw `400` `handler`; unknown endpoint `404` `unknown_endpoint`;
/// already-closed endpoint `200` (body drained quietly); bad `Ais-Session-Id` `400`
/// `bad_session_id`; other methods `405` `method_not_allowed`; other paths `404`
/// `not_found`. Every error body is one line of JSON `{"code":"...","error":"..."}`.
/// libmicrohttpd 0.9 answers only once the body has ended, so after a stream breaks
/// the rest of the body is drained (up to ``drainLimit``) and answered `400` at its end;
/// a sender that goes on past the limit has its connection closed instead.
public final class Gateway: Sendable {
    /// The endpoints this gateway serves.
    public let endpoints: EndpointRegistry
    /// The listen address and tuning.
    public let options: GatewayOptions
    /// The registry `/metrics` renders.
    public let metricsRegistry: MetricsRegistry
    let metrics: ReceiveMetrics
    let httpRequests: MetricFamily<Counter>
    let alreadyClosed = Atomic<Int>(0)
    private let log: @Sendable (String) -> Void
    let onSessionEnd: (@Sendable (SessionSummary) -> Void)?
    let sessions = OpenSessions()
    private let state = Mutex(State())

    private struct State {
        var daemon: UInt = 0
        var port: UInt16 = 0
        var started = false
    }

    /// How many body bytes after a broken stream are drained, waiting for the body's end
    /// to answer `400`, before the connection is closed instead.
    public static let drainLimit = 4 << 20

    /// The path prefix of stream requests.
    public static let streamPath = "/v1/objstream"

    /// Creates a gateway (not yet listening).
    /// - Parameters:
    ///   - endpoints: The endpoints to serve.
    ///   - options: The listen address and tuning.
    ///   - metrics: Where the receive and HTTP metrics go, and what `/metrics` renders.
    ///   - log: Where libmicrohttpd's errors go, one line each (default: standard error).
    ///   - onSessionEnd: Called once per ended stream session, on its connection thread.
    public init(
        endpoints: EndpointRegistry, options: GatewayOptions = GatewayOptions(), metrics: MetricsRegistry = .shared,
        log: @escaping @Sendable (String) -> Void = Gateway.standardError,
        onSessionEnd: (@Sendable (SessionSummary) -> Void)? = nil
    ) {
        self.endpoints = endpoints
        self.options = options
        self.metricsRegistry = metrics
        self.metrics = ReceiveMetrics(registry: metrics)
        self.httpRequests = metrics.counter(
            "objstream_http_requests_total", help: "HTTP requests answered, by route and status.",
            labels: ["route", "status"])
        self.log = log
        self.onSessionEnd = onSessionEnd
    }

    /// Writes a line to standard error.
    public static let standardError: @Sendable (String) -> Void = { line in
        var text = line + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// The bound port (the ephemeral one for port 0); 0 before ``start()``.
    public var port: UInt16 { state.withLock { $0.port } }

    /// Stream requests for already-closed endpoints so far (drained quietly, answered `200`;
    /// also counted in `objstream_http_requests_total{route="objstream",status="200"}`).
    public var alreadyClosedRequests: Int { alreadyClosed.load(ordering: .relaxed) }

    /// The stream sessions open now.
    public var openSessions: Int { sessions.count }

    /// Blocks until no stream session is open, or `timeout` has passed.
    /// - Parameter timeout: The longest wait.
    /// - Returns: Whether no session is open.
    public func waitUntilIdle(timeout: Duration) -> Bool { sessions.waitUntilZero(timeout: timeout) }

    /// Binds the listen address and starts serving.
    ///
    /// The corresponding C function is `MHD_start_daemon`.
    /// - Throws: ``GatewayError`` when the address is bad or the daemon does not start.
    public func start() throws(GatewayError) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = options.port.bigEndian
        let host = options.host == "localhost" ? "127.0.0.1" : options.host
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            throw GatewayError(code: .badAddress, message: "'\(options.host)' is not an IPv4 address")
        }
        let already = state.withLock { s -> Bool in
            defer { s.started = true }
            return s.started
        }
        if already { throw GatewayError(code: .alreadyStarted, message: "the gateway was started before") }

        let context = Unmanaged.passRetained(self).toOpaque()
        let flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_THREAD_PER_CONNECTION.rawValue | MHD_USE_ITC.rawValue
            | MHD_USE_ERROR_LOG.rawValue
        let logger: MHD_LogCallback = gatewayLogger
        let completed: MHD_RequestCompletedCallback = gatewayRequestCompleted
        let timeout = max(1, options.connectionTimeout.components.seconds)
        let daemon = withUnsafeMutablePointer(to: &address) { addressPointer -> OpaquePointer? in
            let items = [
                MHD_OptionItem(
                    option: .EXTERNAL_LOGGER, value: unsafeBitCast(logger, to: Int.self), ptr_value: context),
                MHD_OptionItem(option: .SOCK_ADDR, value: 0, ptr_value: UnsafeMutableRawPointer(addressPointer)),
                MHD_OptionItem(
                    option: .CONNECTION_MEMORY_LIMIT, value: options.connectionMemoryLimit, ptr_value: nil),
                MHD_OptionItem(option: .CONNECTION_TIMEOUT, value: Int(timeout), ptr_value: nil),
                MHD_OptionItem(option: .CONNECTION_LIMIT, value: options.maxConnections, ptr_value: nil),
                MHD_OptionItem(
                    option: .NOTIFY_COMPLETED, value: unsafeBitCast(completed, to: Int.self),
                    ptr_value: context),
                MHD_OptionItem(option: .END, value: 0, ptr_value: nil),
            ]
            return items.withUnsafeBufferPointer {
                CMicroHTTPD_start_daemon(flags, options.port, gatewayAccessHandler, context, $0.baseAddress)
            }
        }
        guard let daemon else {
            Unmanaged<Gateway>.fromOpaque(context).release()
            state.withLock { $0.started = false }
            throw GatewayError(
                code: .startFailed, message: "libmicrohttpd could not listen on \(options.host):\(options.port)")
        }
        let port = CMicroHTTPD_bound_port(daemon)
        state.withLock {
            $0.daemon = UInt(bitPattern: daemon)
            $0.port = port
        }
    }

    /// Stops accepting connections, waits up to `grace` for open sessions to end, then
    /// stops the daemon (closing what is still open: those sessions end broken).
    ///
    /// A receiver that blocks forever keeps its connection thread, and so this call, waiting.
    /// The corresponding C functions are `MHD_quiesce_daemon` and `MHD_stop_daemon`.
    /// - Parameter grace: How long open sessions may take to end.
    /// - Returns: Whether every session ended within the grace period.
    @discardableResult
    public func stop(grace: Duration = .zero) -> Bool {
        let raw = state.withLock { s -> UInt in
            defer { s.daemon = 0 }
            return s.daemon
        }
        guard let daemon = OpaquePointer(bitPattern: raw) else { return true }
        let listener = MHD_quiesce_daemon(daemon)
        if listener >= 0 { FileDescriptor(adopting: listener).close() }
        let drained = sessions.waitUntilZero(timeout: grace)
        MHD_stop_daemon(daemon)
        Unmanaged.passUnretained(self).release()
        return drained
    }

    /// Writes a line to the gateway's log.
    /// - Parameter line: The line, without its newline.
    func logLine(_ line: String) { log(line) }
}
