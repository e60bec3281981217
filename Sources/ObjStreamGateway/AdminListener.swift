import CMicroHTTPD
import Foundation
import ObjStreamMetrics
import ObjStreamWire
import Synchronization

/// `GET /metrics`, `GET /healthz` and `GET /readyz` on a libmicrohttpd daemon of their own
/// (`admin_listen`, `serve --admin-listen`, `send --metrics-listen`), so that probes and
/// scrapes are answered however full the stream listener is.
///
/// The daemon serves every connection on its one polling thread (the answers are short and
/// never block), within a budget of its own: ``maxConnections`` connections,
/// ``perAddressConnections`` from one address, request headers within ``headerTimeout``, idle
/// connections closed after ``connectionTimeout``; counted in
/// `objstream_admin_connections_open` and `objstream_admin_connections_rejected_total{reason}`.
///
/// - `/metrics`: `200`, the registry in Prometheus text format 0.0.4.
/// - `/healthz`: `200` `{"status":"ok"}` while the process serves (liveness).
/// - `/readyz`: `200` `{"status":"ready"}`, or `503` `{"reasons":[...],"status":"not_ready"}`
///   with the gateway's ``Gateway/readiness`` (draining, an unhealthy endpoint, the stream
///   listener at `max_connections`); always ready without a gateway (a sender's listener).
public final class AdminListener: Sendable {
    /// The most connections at once.
    public static let maxConnections = 16
    /// The most connections at once from one address.
    public static let perAddressConnections = 8
    /// How long a request's headers may take.
    public static let headerTimeout = Duration.seconds(5)
    /// How long a connection may be idle.
    public static let connectionTimeout = Duration.seconds(30)

    /// The host to bind (see ``GatewayOptions/host``).
    public let host: String
    /// The port to bind; 0 picks a free one.
    public let requestedPort: UInt16
    /// What `/metrics` renders.
    public let metricsRegistry: MetricsRegistry
    private let gateway: Gateway?
    private let log: RateLimitedLog
    private let httpRequests: MetricFamily<Counter>
    let connections: ConnectionGuard
    private let daemon = Mutex<ListenerDaemon?>(nil)

    /// Creates an admin listener (not yet listening).
    /// - Parameters:
    ///   - host: The host to bind: IPv4, IPv6 without brackets, or a name (resolved at ``start()``).
    ///   - port: The port; 0 picks a free one.
    ///   - metrics: What `/metrics` renders.
    ///   - gateway: Whose readiness `/readyz` answers; nil: always ready.
    ///   - log: Where libmicrohttpd's errors and refusals go, one line each.
    public init(
        host: String, port: UInt16, metrics: MetricsRegistry = .shared, gateway: Gateway? = nil,
        log: @escaping @Sendable (String) -> Void = Gateway.standardError
    ) {
        self.host = host
        self.requestedPort = port
        self.metricsRegistry = metrics
        self.gateway = gateway
        let libraryLog = RateLimitedLog("libmicrohttpd", sink: log)
        self.log = libraryLog
        httpRequests = metrics.counter(
            "objstream_http_requests_total", help: "HTTP requests answered, by route and status.",
            labels: ["route", "status"])
        connections = ConnectionGuard(
            limits: ConnectionGuard.Limits(
                maxConnections: Self.maxConnections, perAddress: Self.perAddressConnections,
                headerTimeout: Self.headerTimeout),
            metrics: ConnectionMetrics(
                registry: metrics, prefix: "objstream_admin_connections", listener: "admin",
                reasons: [.maxConnections, .perIPConnections, .headerTimeout, .connectionTimeout]),
            listener: "admin", log: RateLimitedLog("connection-limit", sink: log), otherLogs: [libraryLog])
    }

    /// The bound address, with the port the kernel chose for port 0; nil before ``start()``.
    public var address: SocketAddress? { daemon.withLock { $0?.address } }

    /// The bound port; 0 before ``start()``.
    public var port: UInt16 { address?.port ?? 0 }

    /// Resolves and binds the address and starts serving.
    ///
    /// The corresponding C function is `MHD_start_daemon` (see ``ListenerDaemon``).
    /// - Throws: ``GatewayError`` `bad_address`, `bind_failed`, `start_failed`, or `already_started`.
    public func start() throws(GatewayError) {
        if daemon.withLock({ $0 != nil }) {
            throw GatewayError(code: .alreadyStarted, message: "the admin listener was started before")
        }
        let address: SocketAddress
        do {
            address = try SocketAddress.resolve(host: host, port: requestedPort)
        } catch {
            throw GatewayError(code: .badAddress, message: error.message)
        }
        let context = Unmanaged.passRetained(self).toOpaque()
        connections.startWatchdog()
        do {
            let started = try ListenerDaemon.start(
                address: address, threading: .singleThread, connectionGuard: connections,
                connectionTimeout: Self.connectionTimeout, connectionMemoryLimit: nil,
                callbacks: ListenerDaemon.Callbacks(
                    handler: adminAccessHandler, handlerContext: context, completed: adminRequestCompleted,
                    logger: adminLogger))
            daemon.withLock { $0 = started }
        } catch {
            connections.stopWatchdog()
            Unmanaged<AdminListener>.fromOpaque(context).release()
            throw error
        }
    }

    /// Stops listening; a request in progress is cut off.
    ///
    /// The corresponding C function is `MHD_stop_daemon`.
    public func stop() {
        guard let running = daemon.withLock({ d -> ListenerDaemon? in
            defer { d = nil }
            return d
        }) else { return }
        running.stop()
        connections.stopWatchdog()
        Unmanaged.passUnretained(self).release()
    }

    /// Answers one request, at its first call (admin requests have no body worth reading).
    /// - Parameters:
    ///   - connection: The request's connection.
    ///   - path: The request path.
    ///   - method: The request method.
    /// - Returns: Whether libmicrohttpd goes on with the connection.
    func handle(_ connection: OpaquePointer, path: String, method: String) -> MHD_Result {
        let route: GatewayRoute =
            switch path {
            case "/metrics": .metrics
            case "/healthz": .healthz
            case "/readyz": .readyz
            default: .other
            }
        guard route != .other else {
            return respond(connection, route, 404, JSONBody.error(code: "not_found", message: "no route for \(path)"))
        }
        guard method == "GET" || method == "HEAD" else {
            return respond(
                connection, route, 405,
                JSONBody.error(code: "method_not_allowed", message: "\(method) \(path): use GET"))
        }
        switch route {
        case .metrics:
            return respond(connection, route, 200, metricsRegistry.render(), contentType: MetricsRegistry.contentType)
        case .readyz:
            let readiness = gateway?.readiness ?? Readiness()
            return respond(connection, route, readiness.isReady ? 200 : 503, Self.body(readiness))
        default:
            return respond(connection, route, 200, "{\"status\":\"ok\"}\n")
        }
    }

    /// `{"status":"ready"}` or `{"reasons":[...],"status":"not_ready"}`, one line.
    static func body(_ readiness: Readiness) -> String {
        struct NotReady: Encodable {
            var reasons: [String]
            var status = "not_ready"
        }
        guard !readiness.isReady else { return "{\"status\":\"ready\"}\n" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(NotReady(reasons: readiness.reasons))) ?? Data("{\"status\":\"not_ready\"}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Queues a response, counted in `objstream_http_requests_total`.
    ///
    /// The corresponding C function is `MHD_queue_response`.
    private func respond(
        _ connection: OpaquePointer, _ route: GatewayRoute, _ status: UInt32, _ body: String,
        contentType: String = "application/json"
    ) -> MHD_Result {
        var text = body
        let response = text.withUTF8 { bytes in
            MHD_create_response_from_buffer(
                bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let response else { return .NO }
        defer { MHD_destroy_response(response) }
        MHD_add_response_header(response, "Content-Type", contentType)
        let queued = MHD_queue_response(connection, status, response)
        if queued == .YES { httpRequests.labels(route.rawValue, String(status)).increment() }
        return queued
    }

    /// Writes a line of libmicrohttpd's to the listener's log, rate-limited.
    func logLine(_ line: String) { log(line) }
}

// libmicrohttpd's callbacks of the admin daemon: `cls` is an unretained `AdminListener`.

/// The access handler (`MHD_AccessHandlerCallback`): every request is answered at its first call.
func adminAccessHandler(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, url: UnsafePointer<CChar>?,
    method: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?, uploadData: UnsafePointer<CChar>?,
    uploadDataSize: UnsafeMutablePointer<Int>?, conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let url, let method else { return .NO }
    let listener = Unmanaged<AdminListener>.fromOpaque(cls).takeUnretainedValue()
    if let uploadDataSize, uploadDataSize.pointee > 0 {
        // A body on a request already answered: dropped.
        uploadDataSize.pointee = 0
        return .YES
    }
    listener.connections.headersComplete(UInt(bitPattern: connection))
    return listener.handle(connection, path: String(cString: url), method: String(cString: method))
}

/// A request ended (`MHD_RequestCompletedCallback`): the header deadline of the next one starts.
func adminRequestCompleted(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, conCls: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    toe: MHD_RequestTerminationCode
) {
    guard let cls, let connection else { return }
    let listener = Unmanaged<AdminListener>.fromOpaque(cls).takeUnretainedValue()
    listener.connections.requestEnded(UInt(bitPattern: connection), timedOut: toe == .REQUEST_TERMINATED_TIMEOUT_REACHED)
}

/// libmicrohttpd's error log (`MHD_LogCallback`), escaped, to the listener's log.
func adminLogger(cls: UnsafeMutableRawPointer?, format: UnsafePointer<CChar>?, arguments: CVaListPointer?) {
    guard let cls, let format, let arguments else { return }
    let listener = Unmanaged<AdminListener>.fromOpaque(cls).takeUnretainedValue()
    listener.logLine("objstream: admin listener: libmicrohttpd: \(LibMicroHTTPDLog.line(format, arguments))")
}
