import ObjStreamCluster
import ObjStreamWire

/// The listen address, libmicrohttpd tuning and limits of a ``Gateway``.
public struct GatewayOptions: Sendable, Equatable {
    /// The host to bind: an IPv4 address (`127.0.0.1`, `0.0.0.0`), an IPv6 address without
    /// brackets (`::1`; `::` is dual-stack) or a host name, resolved when the gateway starts
    /// (see ``SocketAddress/resolve(host:port:)``).
    public var host: String
    /// The TCP port; 0 binds an ephemeral port (see ``Gateway/port``).
    public var port: UInt16
    /// Per-connection buffer memory (`MHD_OPTION_CONNECTION_MEMORY_LIMIT`); bounds the
    /// largest chunk handed to a receiver. The default 32 KiB of libmicrohttpd costs
    /// 15-20% throughput, hence 256 KiB.
    public var connectionMemoryLimit: Int
    /// How long a connection may make no progress before it is closed
    /// (`MHD_OPTION_CONNECTION_TIMEOUT`, whole seconds); zero: never.
    public var connectionTimeout: Duration
    /// The most connections at once; one thread each. Connections beyond it are closed as
    /// they come (counted as `max_connections`).
    public var maxConnections: Int
    /// The most connections at once from one IP address (0: no limit); connections beyond it
    /// are closed as they come (counted as `per_ip_connections`).
    public var perIPConnections: Int
    /// How long a request's headers may take, from the connection's accept (or the end of
    /// its previous request), however slowly they trickle in; the connection is closed then
    /// (counted as `header_timeout`).
    public var headerTimeout: Duration
    /// The largest lz4 block a compressed stream may announce; a frame with larger blocks
    /// breaks its stream with `sbr_lz4_block` before anything is allocated for it.
    public var maxLZ4Block: Int
    /// The memory every lz4 decompressor together may hold. A compressed stream reserves
    /// ``LZ4FrameDecoder/memory(blockSize:)`` of ``maxLZ4Block`` before its body is read
    /// (then what its frame's block size needs); one that does not fit is answered `503`
    /// `lz4_memory` at once.
    public var lz4Memory: Int
    /// The initial object header buffer of each session's decoder (`transport.max_header`).
    public var headerBuffer: Int
    /// What stream requests must show before their body is read (WIRE.md section 7, `signing`):
    /// off checks nothing; permissive and strict need a cluster map (see ``Gateway``).
    public var signing: SigningMode
    /// TLS on the stream listener (`https://`), with mutual TLS when it has a client CA; nil: plain TCP.
    public var tls: GatewayTLS?

    /// Creates options; every parameter has the configuration's default.
    public init(
        host: String = "127.0.0.1", port: UInt16 = 9080, connectionMemoryLimit: Int = 256 * 1024,
        connectionTimeout: Duration = .seconds(120), maxConnections: Int = 256,
        headerBuffer: Int = WireLimits.defaultHeaderSize, perIPConnections: Int = 32,
        headerTimeout: Duration = .seconds(10), maxLZ4Block: Int = 4 << 20, lz4Memory: Int = 256 << 20,
        signing: SigningMode = .off
    ) {
        self.host = host
        self.port = port
        self.connectionMemoryLimit = connectionMemoryLimit
        self.connectionTimeout = connectionTimeout
        self.maxConnections = maxConnections
        self.headerBuffer = headerBuffer
        self.perIPConnections = perIPConnections
        self.headerTimeout = headerTimeout
        self.maxLZ4Block = maxLZ4Block
        self.lz4Memory = lz4Memory
        self.signing = signing
    }
}
