import CMicroHTTPD
import ObjStreamReceive
import ObjStreamWire

/// The gateway's responses, each counted in `objstream_http_requests_total` by route and status.
extension Gateway {
    /// Answers a stream that did not end clean: `400` with the session's error code (`507`
    /// `store_full` when the store ran out of space), and how many objects it took before.
    func respondFailure(_ connection: OpaquePointer, _ session: StreamSession) -> MHD_Result {
        let outcome = session.outcome ?? .clean
        var status: UInt32 = 400
        var code = outcome.code ?? ReceiveMetrics.handlerCode
        if case .handler(let error as ReceiveError, _) = outcome, error.code == .storeFull {
            status = 507
            code = error.code.description
        }
        let taken = session.receipt
        return respond(
            connection, route: .objstream, status: status,
            body: JSONBody.error(code: code, message: outcome.message, objects: taken.objects, bytes: taken.bytes),
            contentType: "application/json")
    }

    /// Answers a stream read to its end with its receipt (`200`).
    func respondReceipt(_ connection: OpaquePointer, _ receipt: DeliveryReceipt) -> MHD_Result {
        respond(connection, route: .objstream, status: 200, body: JSONBody.receipt(receipt), contentType: "application/json")
    }

    /// Answers with a one-line JSON error body.
    func respondError(
        _ connection: OpaquePointer, _ route: GatewayRoute, _ status: UInt32, _ code: String, _ message: String
    ) -> MHD_Result {
        respond(
            connection, route: route, status: status, body: JSONBody.error(code: code, message: message),
            contentType: "application/json")
    }

    /// Queues a response.
    ///
    /// The corresponding C function is `MHD_queue_response`.
    func respond(
        _ connection: OpaquePointer, route: GatewayRoute, status: UInt32, body: String, contentType: String
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
}
