/// The routes of the gateway, the `route` label of `objstream_http_requests_total`.
enum GatewayRoute: String {
    /// `PUT /v1/objstream/<trname>`.
    case objstream
    /// `GET /metrics`.
    case metrics
    /// `GET /healthz`.
    case healthz
    /// `GET /readyz` (admin listener).
    case readyz
    /// Anything else (answered `404`).
    case other
}
