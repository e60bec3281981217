/// The `gateway` section: libmicrohttpd tuning and the limits of `objstream serve`.
public struct GatewayConfiguration: Sendable, Equatable {
    /// Per-connection buffer of libmicrohttpd in bytes (`connection_memory_limit`, 4KiB..64MiB).
    public var connectionMemoryLimit: Int = 256 * 1024
    /// Time a connection may make no progress before it is closed (`connection_timeout`,
    /// 0s = never, else 1s..24h, whole seconds rounded up).
    public var connectionTimeout: Duration = .seconds(120)
    /// Time a request's headers may take, however slowly they trickle in (`header_timeout`, 1s..10m).
    public var headerTimeout: Duration = .seconds(10)
    /// Most concurrent connections (`max_connections`, 1..65536, and at most what the process
    /// can hold: see `objstream config check`).
    public var maxConnections: Int = 256
    /// Most concurrent connections from one IP address (`per_ip_connections`, 0 = no limit, else 1..65536).
    public var perIPConnections: Int = 32
    /// Largest lz4 block a compressed stream may announce (`max_lz4_block`: 64KiB, 256KiB, 1MiB or 4MiB).
    public var maxLZ4Block: Int = 4 << 20
    /// Memory every lz4 decompressor together may hold (`lz4_memory`, at least what one stream
    /// with `max_lz4_block` blocks reserves, at most 64GiB).
    public var lz4Memory: Int = 256 << 20
    /// Time open streams get to finish after SIGTERM (`grace_period`, 0s..10m).
    public var gracePeriod: Duration = .seconds(10)

    /// Creates the section with every key at its default.
    public init() {}
}
