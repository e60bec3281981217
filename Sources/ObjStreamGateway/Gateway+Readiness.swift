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

    /// The endpoints that cannot do their work now, by name, with why.
    ///
    /// HOOK (Endpoint.health, issue 10 item 3): the one place readiness asks about the store.
    /// `Endpoint.health` is not in this branch yet; once it is, this returns the registry's
    /// unhealthy endpoints (`endpoints.unhealthy`, name and `health.reason`) and `/readyz`
    /// answers `503` naming them.
    /// - Returns: Unhealthy endpoints; empty while every endpoint is healthy.
    func endpointProblems() -> [String: String] { [:] }
}
