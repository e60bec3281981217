import ObjStreamConfig
import ObjStreamGateway
import ObjStreamMetrics

/// `GET /metrics`, `GET /healthz` and `GET /readyz` of `MetricsRegistry.shared` for a process
/// that serves no streams (`objstream send --metrics-listen`): an ``AdminListener`` without a
/// gateway (always ready), plus the process metrics.
final class MetricsListener: Sendable {
    private let listener: AdminListener
    private let host: String

    /// Starts listening and registers the process metrics on `MetricsRegistry.shared`.
    /// - Parameter address: Where to listen: IPv4, IPv6 or a host name (resolved now, the
    ///   way `serve` resolves its addresses); port 0 picks a free port.
    /// - Throws: `GatewayError` when the address does not resolve or cannot be bound.
    init(address: ListenAddress) throws(GatewayError) {
        host = address.host
        listener = AdminListener(host: address.host, port: address.port, metrics: .shared)
        ProcessMetrics.register(on: .shared)
        try listener.start()
    }

    /// The bound address as given, with the port the kernel picked for port 0.
    var address: ListenAddress { ListenAddress(host: host, port: listener.port) }

    /// Stops listening; a scrape in progress is cut off.
    func stop() {
        listener.stop()
    }
}
