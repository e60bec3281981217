/// The `gateway` section: libmicrohttpd tuning and connection limits of `objstream serve`.
public struct GatewayConfiguration: Sendable, Equatable {
    /// Per-connection buffer of libmicrohttpd in bytes (`connection_memory_limit`, 4KiB..64MiB).
    public var connectionMemoryLimit: Int = 256 * 1024
    /// Idle time after which a connection is closed (`connection_timeout`, 0s = never, else 1s..24h).
    public var connectionTimeout: Duration = .seconds(120)
    /// Most concurrent connections (`max_connections`, 1..65536).
    public var maxConnections: Int = 256
    /// Time open streams get to finish after SIGTERM (`grace_period`, 0s..10m).
    public var gracePeriod: Duration = .seconds(10)

    /// Creates the section with every key at its default.
    public init() {}
}
