/// The `sender` section: how `objstream send` and `ObjStream` connect and write.
public struct SenderConfiguration: Sendable, Equatable {
    /// Time allowed for one TCP connect (`connect_timeout`, 100ms..5m).
    public var connectTimeout: Duration = .seconds(3)
    /// How long connection errors before the first byte are retried (`retry_window`, 0s..10m).
    public var retryWindow: Duration = .seconds(10)
    /// How long a write may make no progress before the stream fails (`write_timeout`, 0s = never, else 1s..1h);
    /// also the sockets' `TCP_USER_TIMEOUT`.
    public var writeTimeout: Duration = .seconds(30)
    /// Whether `TCP_NODELAY` is set (`tcp_nodelay`).
    public var tcpNoDelay: Bool = true
    /// `SO_SNDBUF` in bytes (`send_buffer`, 0 = system default, else 4KiB..1GiB).
    public var sendBuffer: Int = 4 * 1024 * 1024
    /// Largest HTTP chunk in bytes (`chunk_size`, 4KiB..16MiB).
    public var chunkSize: Int = 1024 * 1024
    /// PDU size for unsized objects in bytes (`pdu_size`, 0 = no PDUs, else 32..131072).
    public var pduSize: Int = 0
    /// Whether streams are lz4-compressed (`compression`: never or always).
    public var compression: Compression = .never

    /// Creates the section with every key at its default.
    public init() {}
}
