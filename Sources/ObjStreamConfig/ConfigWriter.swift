/// Renders a configuration as JSON, keys in the order of the shipped `config/objstream.json`.
enum ConfigWriter {
    /// The configuration as an indented JSON document with a trailing newline.
    /// - Parameter c: The configuration.
    /// - Returns: The JSON text.
    static func json(_ c: ObjStreamConfiguration) -> String {
        let endpoints = c.endpoints.map { "{ \"name\": \(JSONString.quote($0.name)), \"action\": \(JSONString.quote($0.action.rawValue)) }" }
        let t = c.transport
        let g = c.gateway
        let s = c.sender
        return """
            {
              "listen": \(JSONString.quote(c.listen.description)),
              "admin_listen": \(c.adminListen.map { JSONString.quote($0.description) } ?? "null"),
              "store_dir": \(JSONString.quote(c.storeDirectory)),
              "store_sync": \(JSONString.quote(c.storeSync.rawValue)),
              "log_level": \(JSONString.quote(c.logLevel.rawValue)),
              "signing": \(JSONString.quote(c.signing.rawValue)),
              "endpoints": [\(endpoints.isEmpty ? "" : "\n    " + endpoints.joined(separator: ",\n    ") + "\n  ")],
              "transport": {
                "max_header": \(t.maxHeader),
                "burst_buffer": \(t.burstBuffer),
                "idle_teardown": \(duration(t.idleTeardown)),
                "quiescent": \(duration(t.quiescent)),
                "lz4_block": \(size(t.lz4Block)),
                "lz4_frame_checksum": \(t.lz4FrameChecksum)
              },
              "gateway": {
                "connection_memory_limit": \(size(g.connectionMemoryLimit)),
                "connection_timeout": \(duration(g.connectionTimeout)),
                "header_timeout": \(duration(g.headerTimeout)),
                "max_connections": \(g.maxConnections),
                "per_ip_connections": \(g.perIPConnections),
                "max_lz4_block": \(size(g.maxLZ4Block)),
                "lz4_memory": \(size(g.lz4Memory)),
                "grace_period": \(duration(g.gracePeriod))
              },
              "sender": {
                "connect_timeout": \(duration(s.connectTimeout)),
                "retry_window": \(duration(s.retryWindow)),
                "write_timeout": \(duration(s.writeTimeout)),
                "tcp_nodelay": \(s.tcpNoDelay),
                "send_buffer": \(size(s.sendBuffer)),
                "chunk_size": \(size(s.chunkSize)),
                "pdu_size": \(s.pduSize),
                "compression": \(JSONString.quote(s.compression.rawValue))
              },
              "tls": \(tls(c.tls))
            }

            """
    }

    private static func tls(_ t: TLSConfiguration?) -> String {
        guard let t else { return "null" }
        let optional = { (text: String?) in text.map(JSONString.quote) ?? "null" }
        return """
            {
                "cert": \(JSONString.quote(t.cert)),
                "key": \(JSONString.quote(t.key)),
                "client_ca": \(optional(t.clientCA)),
                "priorities": \(optional(t.priorities))
              }
            """
    }

    private static func duration(_ d: Duration) -> String { JSONString.quote(DurationFormat.format(d)) }

    private static func size(_ n: Int) -> String { n == 0 ? "0" : JSONString.quote(ByteSize.format(n)) }
}
