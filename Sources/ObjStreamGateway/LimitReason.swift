/// Which limit refused or cut a connection or a request: the `reason` label of
/// `objstream_connections_rejected_total`, named after the configuration key that set it.
public enum LimitReason: String, Sendable, CaseIterable {
    /// `gateway.max_connections`: the listener holds as many connections as it may.
    case maxConnections = "max_connections"
    /// `gateway.per_ip_connections`: the peer's address holds as many as it may.
    case perIPConnections = "per_ip_connections"
    /// `gateway.header_timeout`: the request's headers did not arrive in time.
    case headerTimeout = "header_timeout"
    /// `gateway.connection_timeout`: a request made no progress for that long.
    case connectionTimeout = "connection_timeout"
    /// `gateway.max_lz4_block`: an lz4 frame announced larger blocks.
    case maxLZ4Block = "max_lz4_block"
    /// `gateway.lz4_memory`: the decompressors' memory was taken when a compressed stream came.
    case lz4Memory = "lz4_memory"
}
