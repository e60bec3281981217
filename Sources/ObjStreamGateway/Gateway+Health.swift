import CMicroHTTPD
import Foundation
import ObjStreamReceive

/// `GET /healthz` on the stream listener: liveness, as on the admin listener, so always `200`
/// while the process serves; the body names every unhealthy endpoint (`"status":"degraded"`),
/// and `/readyz` is what turns not ready for them (a restart mends no failing disk).
extension Gateway {
    /// The fields of an unhealthy answer, in the order they are written.
    private struct UnhealthyFields: Encodable {
        var status = "degraded"
        /// Each unhealthy endpoint's name and why it is unhealthy.
        var endpoints: [String: String]
    }

    /// Answers `GET /healthz`: `200` `{"endpoints":{"NAME":"why",...},"status":"degraded"}` while any
    /// registered endpoint reports itself unhealthy, else `200` `{"status":"ok"}`.
    /// - Parameter connection: The request's connection.
    /// - Returns: Whether the answer was queued.
    func respondHealth(_ connection: OpaquePointer) -> MHD_Result {
        let unhealthy = endpoints.unhealthy
        guard !unhealthy.isEmpty else {
            return respond(connection, route: .healthz, status: 200, body: "{\"status\":\"ok\"}\n", contentType: "application/json")
        }
        let fields = UnhealthyFields(
            endpoints: Dictionary(unhealthy.map { ($0.name, $0.health.reason) }, uniquingKeysWith: { first, _ in first }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(fields)).map { String(decoding: $0, as: UTF8.self) } ?? "{\"status\":\"degraded\"}"
        return respond(connection, route: .healthz, status: 200, body: body + "\n", contentType: "application/json")
    }
}
