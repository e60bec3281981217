import CMicroHTTPD
import ObjStreamCluster
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
/// MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL`: `poll(2)`, so no descriptor number is too
/// large; see ``ListenerDaemon``). Streams are long-lived and few, and receivers may
/// block on purpose: a receiver that blocks then stalls only its own connection's
/// thread, so TCP flow control slows that one sender (back-pressure without any
/// buffering) while every other stream goes on. An event-loop mode would need
/// suspend/resume and a hop to another thread per chunk. Each chunk libmicrohttpd
/// hands over goes straight through the session's decoder to the receiver on that
/// thread: no copy, no allocation, no lock, no thread hop per chunk.
///
/// **Limits** (``GatewayOptions``): connections at once and per address, a deadline for each
/// request's headers (``ConnectionGuard``), a connection timeout, and for compressed streams
/// the block size and the decompressors' memory (``LZ4MemoryBudget``); each counted in
/// `objstream_connections_rejected_total{reason}` when it strikes.
///
/// Call ``stop(grace:)`` to shut down: the gateway keeps itself alive while running.
///
/// Responses: stream clean end `200`; broken stream `400` with the `sbr_*` code; a
/// receiver that threw `400` `handler`; unknown endpoint `404` `unknown_endpoint`;
/// already-closed endpoint `200` (body drained quietly); bad `Ais-Session-Id` `400`
/// `bad_session_id`; with signing on (``GatewayOptions/signing``), the caller checks of
/// ``AuthReason`` (`400` or `403` with its code, before any body byte); other methods `405` `method_not_allowed`; other paths `404`
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
    private let libraryLog: RateLimitedLog
    /// The lines of stream requests the caller checks refused (a peer can cause them at will).
    let callerLog: RateLimitedLog
    let sessions = OpenSessions()
    /// The connection limits of the stream listener.
    let connections: ConnectionGuard
    /// The memory lz4 decompressors may hold.
    let lz4Memory: LZ4MemoryBudget
    /// The checks of each stream request's session id and caller (signing).
    let callers: CallerChecks
    /// Whether ``stop(grace:)`` has begun (`/readyz` answers `draining`).
    let draining = Atomic(false)
    private let state = Mutex(State())

    private struct State {
        var daemon: ListenerDaemon?
        var address: SocketAddress?
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
    ///   - clusterMap: The members whose streams are accepted with ``GatewayOptions/signing``
    ///     permissive or strict (without one, every such request is `403` `unknown_sender`).
    ///   - replayState: Where each sender's highest nonce persists across restarts, if anywhere.
    public init(
        endpoints: EndpointRegistry, options: GatewayOptions = GatewayOptions(), metrics: MetricsRegistry = .shared,
        log: @escaping @Sendable (String) -> Void = Gateway.standardError,
        onSessionEnd: (@Sendable (SessionSummary) -> Void)? = nil, clusterMap: ClusterMap? = nil,
        replayState: ReplayState? = nil
    ) {
        self.endpoints = endpoints
        self.options = options
        self.metricsRegistry = metrics
        self.metrics = ReceiveMetrics(registry: metrics)
        self.httpRequests = metrics.counter(
            "objstream_http_requests_total", help: "HTTP requests answered, by route and status.",
            labels: ["route", "status"])
        self.log = log
        let libraryLog = RateLimitedLog("libmicrohttpd", sink: log)
        self.libraryLog = libraryLog
        let callerLog = RateLimitedLog("refused-caller", sink: log)
        self.callerLog = callerLog
        self.onSessionEnd = onSessionEnd
        self.connections = ConnectionGuard(
            limits: ConnectionGuard.Limits(
                maxConnections: options.maxConnections, perAddress: options.perIPConnections,
                headerTimeout: options.headerTimeout, requiresClientCertificates: options.tls?.clientCA != nil),
            metrics: ConnectionMetrics(
                registry: metrics, prefix: "objstream_connections", listener: "stream", reasons: LimitReason.allCases),
            listener: "stream", log: RateLimitedLog("connection-limit", sink: log), otherLogs: [libraryLog, callerLog])
        self.lz4Memory = LZ4MemoryBudget(limit: options.lz4Memory, maxBlock: options.maxLZ4Block, registry: metrics)
        self.callers = CallerChecks(mode: options.signing, map: clusterMap, replayState: replayState, registry: metrics)
    }

    /// The cluster map stream requests are checked against now.
    public var clusterMap: ClusterMap? { callers.clusterMap }

    /// Replaces the cluster map: requests that start from now on are checked against it; open
    /// streams go on untouched. Counted in `objstream_cluster_map_reloads_total{result="ok"}`.
    /// - Parameter map: The new map.
    public func reloadClusterMap(_ map: ClusterMap) { callers.reload(map) }

    /// Counts a reload whose new map could not be loaded (`result="failed"`); the map in use stays.
    public func clusterMapReloadFailed() { callers.reloadFailed() }

    /// Writes a line to standard error.
    public static let standardError: @Sendable (String) -> Void = { line in
        var text = line + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// The bound port (the ephemeral one for port 0); 0 before ``start()``.
    public var port: UInt16 { state.withLock { $0.address?.port ?? 0 } }

    /// The bound address, with the port the kernel chose for port 0; nil before ``start()``.
    public var address: SocketAddress? { state.withLock { $0.address } }

    /// The stream listener's connections open now.
    public var openConnections: Int { connections.openConnections }

    /// Stream requests for already-closed endpoints so far (drained quietly, answered `200`;
    /// also counted in `objstream_http_requests_total{route="objstream",status="200"}`).
    public var alreadyClosedRequests: Int { alreadyClosed.load(ordering: .relaxed) }

    /// The stream sessions open now.
    public var openSessions: Int { sessions.count }

    /// Blocks until no stream session is open, or `timeout` has passed.
    /// - Parameter timeout: The longest wait.
    /// - Returns: Whether no session is open.
    public func waitUntilIdle(timeout: Duration) -> Bool { sessions.waitUntilZero(timeout: timeout) }

    /// Resolves and binds the listen address and starts serving.
    ///
    /// The corresponding C function is `MHD_start_daemon` (see ``ListenerDaemon``).
    /// - Throws: ``GatewayError``: `bad_address` when the host is not an address or does not
    ///   resolve, `bind_failed` when it cannot be bound, `start_failed` when libmicrohttpd
    ///   does not start, `already_started` on a second call.
    public func start() throws(GatewayError) {
        let address: SocketAddress
        do {
            address = try SocketAddress.resolve(host: options.host, port: options.port)
        } catch {
            throw GatewayError(code: .badAddress, message: error.message)
        }
        let already = state.withLock { s -> Bool in
            defer { s.started = true }
            return s.started
        }
        if already { throw GatewayError(code: .alreadyStarted, message: "the gateway was started before") }

        let context = Unmanaged.passRetained(self).toOpaque()
        connections.startWatchdog()
        let daemon: ListenerDaemon
        do {
            daemon = try ListenerDaemon.start(
                address: address, threading: .perConnection, connectionGuard: connections,
                connectionTimeout: options.connectionTimeout, connectionMemoryLimit: options.connectionMemoryLimit,
                tls: options.tls, callbacks: ListenerDaemon.Callbacks(
                    handler: gatewayAccessHandler, handlerContext: context, completed: gatewayRequestCompleted,
                    logger: gatewayLogger))
        } catch {
            connections.stopWatchdog()
            Unmanaged<Gateway>.fromOpaque(context).release()
            state.withLock { $0.started = false }
            throw error
        }
        state.withLock {
            $0.daemon = daemon
            $0.address = daemon.address
        }
    }

    /// Stops accepting connections, waits up to `grace` for open sessions to end, then
    /// stops the daemon (closing what is still open: those sessions end broken).
    /// `/readyz` answers `draining` from the start of the call.
    ///
    /// A receiver that blocks forever keeps its connection thread, and so this call, waiting.
    /// The corresponding C functions are `MHD_quiesce_daemon` and `MHD_stop_daemon`.
    /// - Parameter grace: How long open sessions may take to end.
    /// - Returns: Whether every session ended within the grace period.
    @discardableResult
    public func stop(grace: Duration = .zero) -> Bool {
        draining.store(true, ordering: .releasing)
        let running = state.withLock { s -> ListenerDaemon? in
            defer { s.daemon = nil }
            return s.daemon
        }
        guard let daemon = running else { return true }
        daemon.quiesce()
        let drained = sessions.waitUntilZero(timeout: grace)
        daemon.stop()
        connections.stopWatchdog()
        Unmanaged.passUnretained(self).release()
        return drained
    }

    /// Writes a line of libmicrohttpd's to the gateway's log, rate-limited: a peer can cause
    /// them at will (every connection it closes early is one).
    /// - Parameter line: The line, escaped, without its newline.
    func logLine(_ line: String) { libraryLog(line) }
}
