import CMicroHTTPD
import ObjStreamCluster
import ObjStreamMetrics
import ObjStreamReceive
import ObjStreamWire

/// Routing of requests, on libmicrohttpd's connection threads: stream sessions on
/// ``Gateway/streamPath``, `/metrics`, `/healthz`, and what is answered to anything else.
extension Gateway {
    /// Answers one call of the access handler: the request's start, a piece of its body, or its end.
    /// - Parameters:
    ///   - connection: The request's connection.
    ///   - url: The request path.
    ///   - method: The request method.
    ///   - uploadData: Body bytes, when `uploadDataSize` is not zero.
    ///   - uploadDataSize: How many body bytes there are; set to zero once they are taken.
    ///   - context: The request's `*con_cls`: nil at the start, then its ``RequestContext``.
    /// - Returns: Whether libmicrohttpd goes on with the connection.
    func handle(
        connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>,
        uploadData: UnsafePointer<CChar>?, uploadDataSize: UnsafeMutablePointer<Int>,
        context: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        guard let raw = context.pointee else {
            return begin(connection: connection, path: String(cString: url), method: String(cString: method), context: context)
        }
        let request = Unmanaged<RequestContext>.fromOpaque(raw).takeUnretainedValue()
        let size = uploadDataSize.pointee
        if size > 0 {
            uploadDataSize.pointee = 0
            guard case .stream(let session) = request.kind else { return .YES }
            if session.feed(UnsafeRawBufferPointer(start: uploadData, count: size)) { return .YES }
            // libmicrohttpd 0.9 cannot answer before the body ends: drain a bounded tail so that
            // a sender that ends its body soon gets its 400, then close on one that goes on.
            request.drainedAfterFailure += size
            return request.drainedAfterFailure <= Self.drainLimit ? .YES : .NO
        }
        switch request.kind {
        case .drain:
            // Nothing was taken: a sender in confirmed mode learns that none of its objects arrived.
            return respondReceipt(connection, DeliveryReceipt(objects: 0, bytes: 0))
        case .stream(let session):
            if case .clean = session.finish() { return respondReceipt(connection, session.receipt) }
            return respondFailure(connection, session)
        }
    }

    /// Starts a request: routes it, answers it at once, or opens its stream session.
    private func begin(
        connection: OpaquePointer, path: String, method: String,
        context: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        if path == Self.streamPath || path.hasPrefix(Self.streamPath + "/") {
            guard method == "PUT" else {
                return respondError(connection, .objstream, 405, "method_not_allowed", "\(method) \(path): use PUT")
            }
            let trname = path == Self.streamPath ? "" : String(path[path.index(after: path.lastIndex(of: "/")!)...])
            // Before any body byte: the session id and, with signing on, who the caller is.
            let sessionID: Int64
            switch callers.check(trname: trname, header: { header(connection, $0) }) {
            case .accepted(let id): sessionID = id
            case .rejected(let reason, let message):
                callerLog(
                    "objstream: refused a stream request from \(remoteAddress(connection)) for \(LogEscaping.field(trname)):"
                        + " \(reason.rawValue): \(LogEscaping.controls(message))")
                return respondError(connection, .objstream, reason.status, reason.rawValue, message)
            }
            let info = SessionInfo(
                trname: trname, senderID: header(connection, "Ais-Caller-Id") ?? "", sessionID: sessionID,
                compressed: header(connection, "Ais-Compress")?.lowercased() == "lz4",
                remoteAddress: remoteAddress(connection))
            let kind: RequestContext.Kind
            var lz4: LZ4MemoryReservation?
            switch endpoints.lookup(trname) {
            case .unknown:
                return respondError(connection, .objstream, 404, "unknown_endpoint", "unknown transport endpoint '\(trname)'")
            case .alreadyClosed:
                alreadyClosed.wrappingAdd(1, ordering: .relaxed)
                kind = .drain
            case .found(let endpoint):
                if info.compressed {
                    guard let reserved = lz4Memory.reserve() else { return respondLZ4MemoryTaken(connection) }
                    lz4 = reserved
                }
                do {
                    let session = try StreamSession(
                        info: info, endpoint: endpoint, metrics: metrics, headerBuffer: options.headerBuffer,
                        admitLZ4Frame: lz4.map(admitFrames))
                    sessions.enter()
                    kind = .stream(session)
                } catch {
                    return respondError(connection, .objstream, 400, error.code.description, error.description)
                }
            }
            context.pointee = Unmanaged.passRetained(RequestContext(kind, lz4Memory: lz4)).toOpaque()
            return .YES
        }
        let route: GatewayRoute =
            switch path {
            case "/metrics": .metrics
            case "/healthz": .healthz
            default: .other
            }
        guard route != .other else { return respondError(connection, .other, 404, "not_found", "no route for \(path)") }
        guard method == "GET" || method == "HEAD" else {
            return respondError(connection, route, 405, "method_not_allowed", "\(method) \(path): use GET")
        }
        if route == .metrics {
            return respond(connection, route: route, status: 200, body: metricsRegistry.render(), contentType: MetricsRegistry.contentType)
        }
        return respondHealth(connection)
    }

    /// Ends a request however it ended: aborts a session still open, reports it, counts it out.
    /// - Parameters:
    ///   - request: The request's context.
    ///   - termination: How libmicrohttpd says it ended.
    func completed(_ request: RequestContext, termination: MHD_RequestTerminationCode) {
        guard case .stream(let session) = request.kind else { return }
        if session.isOpen { session.abort("request ended (\(Self.describe(termination)))") }
        if let onSessionEnd, let outcome = session.outcome {
            onSessionEnd(
                SessionSummary(
                    info: session.info, objects: session.objects, controlObjects: session.controlObjects,
                    bytes: session.bytes, duration: ContinuousClock.now - session.started, result: outcome.code ?? "ok",
                    message: outcome.message))
        }
        sessions.leave()
    }
}
