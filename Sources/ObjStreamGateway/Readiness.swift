/// Whether a process should be sent work now, and if not, why: what `GET /readyz` answers.
public struct Readiness: Sendable, Equatable {
    /// Why it is not ready (`draining`, `connections_at_limit`, `endpoint NAME: why`); empty when ready.
    public var reasons: [String]

    /// Creates a readiness.
    /// - Parameter reasons: Why it is not ready; empty when it is.
    public init(reasons: [String] = []) { self.reasons = reasons }

    /// Whether nothing stands in the way.
    public var isReady: Bool { reasons.isEmpty }
}
