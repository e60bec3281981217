import ObjStreamConfig
import ObjStreamGateway
import ObjStreamMetrics
import ObjStreamReceive

/// `GET /metrics` and `GET /healthz` of `MetricsRegistry.shared` for a process that serves no
/// streams (`objstream send --metrics-listen`): a ``Gateway`` with no endpoints, plus the
/// process metrics.
final class MetricsListener: Sendable {
    private let gateway: Gateway
    private let host: String

    /// Starts listening and registers the process metrics on `MetricsRegistry.shared`.
    /// - Parameter address: Where to listen (an IPv4 address; port 0 picks a free port).
    /// - Throws: `GatewayError` when the address is not IPv4 or cannot be bound.
    init(address: ListenAddress) throws(GatewayError) {
        host = address.host
        gateway = Gateway(
            endpoints: EndpointRegistry(), options: GatewayOptions(host: address.host, port: address.port),
            metrics: .shared)
        ProcessMetrics.register(on: .shared)
        try gateway.start()
    }

    /// The bound address, with the port the kernel picked for port 0.
    var address: ListenAddress { ListenAddress(host: host, port: gateway.port) }

    /// Stops listening; a scrape in progress is cut off.
    func stop() {
        gateway.stop()
    }
}
