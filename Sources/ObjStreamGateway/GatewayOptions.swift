import ObjStreamWire

/// The listen address and libmicrohttpd tuning of a ``Gateway``.
public struct GatewayOptions: Sendable, Equatable {
    /// The IPv4 address to bind (`127.0.0.1`, `0.0.0.0`, ...; `localhost` means `127.0.0.1`).
    public var host: String
    /// The TCP port; 0 binds an ephemeral port (see ``Gateway/port``).
    public var port: UInt16
    /// Per-connection buffer memory (`MHD_OPTION_CONNECTION_MEMORY_LIMIT`); bounds the
    /// largest chunk handed to a receiver. The default 32 KiB of libmicrohttpd costs
    /// 15-20% throughput, hence 256 KiB.
    public var connectionMemoryLimit: Int
    /// How long a connection may be idle before it is closed (`MHD_OPTION_CONNECTION_TIMEOUT`, whole seconds).
    public var connectionTimeout: Duration
    /// The most connections at once (`MHD_OPTION_CONNECTION_LIMIT`); one thread each.
    public var maxConnections: Int
    /// The initial object header buffer of each session's decoder (`transport.max_header`).
    public var headerBuffer: Int

    /// Creates options; every parameter has the configuration's default.
    public init(
        host: String = "127.0.0.1", port: UInt16 = 9080, connectionMemoryLimit: Int = 256 * 1024,
        connectionTimeout: Duration = .seconds(120), maxConnections: Int = 256,
        headerBuffer: Int = WireLimits.defaultHeaderSize
    ) {
        self.host = host
        self.port = port
        self.connectionMemoryLimit = connectionMemoryLimit
        self.connectionTimeout = connectionTimeout
        self.maxConnections = maxConnections
        self.headerBuffer = headerBuffer
    }
}
