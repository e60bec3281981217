/// A named receive endpoint: makes one ``ObjectReceiver`` per stream session.
public protocol Endpoint: Sendable {
    /// Makes the receiver for a new session (one HTTP request of a stream).
    /// - Parameter session: Who sends, on which endpoint, with which session id.
    /// - Returns: The receiver that gets the session's objects.
    func makeReceiver(for session: SessionInfo) -> any ObjectReceiver

    /// Whether the endpoint can do its work now (`GET /healthz` answers `503` while any
    /// registered endpoint is unhealthy). The default is always healthy.
    var health: EndpointHealth { get }
}

extension Endpoint {
    public var health: EndpointHealth { .healthy }
}
