import ObjStreamReceive

/// What the admin listener's `/healthz` and `/readyz` say of a gateway.
extension Gateway {
    /// Whether the gateway should be sent streams now (`GET /readyz`): not while it drains
    /// (``stop(grace:)`` has begun), not while an endpoint is unhealthy, not while the stream
    /// listener holds `max_connections` connections.
    public var readiness: Readiness {
        var reasons: [String] = []
        if draining.load(ordering: .acquiring) { reasons.append("draining") }
        for (name, why) in endpointProblems().sorted(by: { $0.key < $1.key }) {
            reasons.append("endpoint \(name): \(why)")
        }
        if connections.isAtLimit { reasons.append("connections_at_limit") }
        return Readiness(reasons: reasons)
    }

    /// The endpoints that cannot do their work now (``Endpoint/health``), by name, with why:
    /// the one place readiness asks about the store.
    /// - Returns: Unhealthy endpoints; empty while every endpoint is healthy.
    func endpointProblems() -> [String: String] {
        Dictionary(endpoints.unhealthy.map { ($0.name, $0.health.reason) }, uniquingKeysWith: { first, _ in first })
    }
}
