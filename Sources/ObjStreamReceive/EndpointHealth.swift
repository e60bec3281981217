/// Whether an endpoint can do its work, as `GET /healthz` reports it.
public struct EndpointHealth: Sendable, Hashable, CustomStringConvertible {
    /// Whether the endpoint works.
    public var isHealthy: Bool
    /// Why it does not, in words; empty when healthy.
    public var reason: String

    /// Creates a health report.
    /// - Parameters:
    ///   - isHealthy: Whether the endpoint works.
    ///   - reason: Why it does not, in words.
    public init(isHealthy: Bool, reason: String = "") {
        self.isHealthy = isHealthy
        self.reason = reason
    }

    /// A working endpoint.
    public static let healthy = EndpointHealth(isHealthy: true)

    /// An endpoint that does not work.
    /// - Parameter reason: Why, in words.
    /// - Returns: The report.
    public static func unhealthy(_ reason: String) -> EndpointHealth { EndpointHealth(isHealthy: false, reason: reason) }

    public var description: String { isHealthy ? "healthy" : "unhealthy: \(reason)" }
}
