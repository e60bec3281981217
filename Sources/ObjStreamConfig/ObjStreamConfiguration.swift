import Foundation
import ObjStreamCluster
import ObjStreamReceive
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// Everything `objstream` can be configured with: the contents of `config/objstream.json`.
///
/// Missing keys keep their defaults; unknown keys and out-of-range values are errors,
/// all of them reported at once by ``parse(_:)``.
public struct ObjStreamConfiguration: Sendable, Equatable {
    /// Where the gateway listens (`listen`, `host:port`, port 0 = any free port).
    public var listen = ListenAddress(host: "127.0.0.1", port: 9080)
    /// Where the admin listener (`/metrics`, `/healthz`, `/readyz`) listens (`admin_listen`); nil: none.
    public var adminListen: ListenAddress?
    /// Where `store` endpoints write objects (`store_dir`).
    public var storeDirectory = "./objstream-store"
    /// When `store` endpoints make what they wrote durable (`store_sync`).
    public var storeSync = StoreSync.request
    /// How much is logged (`log_level`).
    public var logLevel = LogLevel.info
    /// What stream requests must show before their body is read (`signing`: off, permissive or
    /// strict; WIRE.md section 7). Permissive and strict need `serve --cluster`.
    public var signing = SigningMode.off
    /// The receive endpoints served (`endpoints`).
    public var endpoints = [
        EndpointConfiguration(name: "default", action: .sink), EndpointConfiguration(name: "store", action: .store),
    ]
    /// The `transport` section.
    public var transport = TransportConfiguration()
    /// The `gateway` section.
    public var gateway = GatewayConfiguration()
    /// The `sender` section.
    public var sender = SenderConfiguration()
    /// The `tls` section; nil (`null`, the default): the stream listener speaks plain HTTP.
    public var tls: TLSConfiguration?

    /// Creates a configuration with every key at its default.
    public init() {}

    /// The top-level keys, in file order.
    static let keys = [
        "listen", "admin_listen", "store_dir", "store_sync", "log_level", "signing", "endpoints", "transport", "gateway", "sender",
        "tls",
    ]

    /// Reads and validates a configuration file.
    /// - Parameter path: The file's path.
    /// - Returns: The configuration.
    /// - Throws: ``ConfigError`` listing every problem, or `.unreadable` naming the file.
    public static func load(contentsOf path: String) throws(ConfigError) -> ObjStreamConfiguration {
        try parse(ConfigDocument.bytes(contentsOf: path))
    }

    /// Parses and validates a configuration document.
    /// - Parameter json: The JSON text, UTF-8.
    /// - Returns: The configuration.
    /// - Throws: ``ConfigError`` listing every problem found.
    public static func parse(_ json: [UInt8]) throws(ConfigError) -> ObjStreamConfiguration {
        let document = try ConfigDocument.object(json)
        var reader = ConfigReader()
        var configuration = ObjStreamConfiguration()
        configuration.read(document, with: &reader)
        guard reader.problems.isEmpty else { throw ConfigError(code: .invalid, problems: reader.problems) }
        return configuration
    }

    /// The configuration as JSON, in the layout of the shipped file (what `objstream config print` writes).
    /// - Returns: The JSON text with a trailing newline; ``parse(_:)`` reads it back to an equal value.
    public func json() -> String {
        ConfigWriter.json(self)
    }

    private mutating func read(_ document: Any, with r: inout ConfigReader) {
        guard let top = r.object(document, key: "", known: Self.keys) else { return }
        if let value = top["listen"] {
            if let text = value as? String, let address = ListenAddress(text) {
                listen = address
            } else {
                r.report("listen", value, "must be \"host:port\" or \"[ipv6]:port\" with port 0..65535 (0: any free port)")
            }
        }
        if let value = top["admin_listen"], !(value is NSNull) {
            if let text = value as? String, let address = ListenAddress(text) {
                adminListen = address
            } else {
                r.report(
                    "admin_listen", value,
                    "must be null (no admin listener), \"host:port\" or \"[ipv6]:port\" with port 0..65535 (0: any free port)")
            }
        }
        r.string(top, "store_dir", in: "", into: &storeDirectory) { $0.isEmpty ? "must be a non-empty path" : nil }
        r.choice(top, "store_sync", in: "", into: &storeSync)
        r.choice(top, "log_level", in: "", into: &logLevel)
        r.choice(top, "signing", in: "", into: &signing)
        if let value = top["endpoints"] { readEndpoints(value, with: &r) }
        if let value = top["transport"] { readTransport(value, with: &r) }
        if let value = top["gateway"] { readGateway(value, with: &r) }
        if let value = top["sender"] { readSender(value, with: &r) }
        if let value = top["tls"] { readTLS(value, with: &r) }
    }

    private mutating func readEndpoints(_ value: Any, with r: inout ConfigReader) {
        guard let list = value as? [Any] else {
            r.report("endpoints", value, "must be an array of {\"name\": ..., \"action\": \"sink\"|\"store\"}")
            return
        }
        var parsed: [EndpointConfiguration] = []
        var firstIndex: [String: Int] = [:]
        for (index, item) in list.enumerated() {
            let path = "endpoints[\(index)]"
            guard let entry = r.object(item, key: path, known: ["name", "action"]) else { continue }
            var endpoint = EndpointConfiguration(name: "", action: .sink)
            if entry["name"] == nil { r.report(path + ".name", NSNull(), "is required: a non-empty name without \"/\"") }
            r.string(entry, "name", in: path, into: &endpoint.name) { name in
                if name.isEmpty { return "must be a non-empty name without \"/\"" }
                if name.contains("/") { return "must not contain \"/\"" }
                if name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f }) { return "must not contain control characters" }
                return nil
            }
            if let first = firstIndex[endpoint.name], !endpoint.name.isEmpty {
                r.report(path + ".name", endpoint.name, "duplicate endpoint name (also endpoints[\(first)])")
            } else if !endpoint.name.isEmpty {
                firstIndex[endpoint.name] = index
            }
            if entry["action"] == nil { r.report(path + ".action", NSNull(), "is required: one of sink, store") }
            r.choice(entry, "action", in: path, into: &endpoint.action)
            parsed.append(endpoint)
        }
        endpoints = parsed
    }

    private mutating func readTransport(_ value: Any, with r: inout ConfigReader) {
        let path = "transport"
        let known = ["max_header", "burst_buffer", "idle_teardown", "quiescent", "lz4_block", "lz4_frame_checksum"]
        guard let s = r.object(value, key: path, known: known) else { return }
        r.size(s, "max_header", in: path, allowed: "in 512..131072", into: &transport.maxHeader) { (512...131_072).contains($0) }
        r.integer(s, "burst_buffer", in: path, range: 256...4096, into: &transport.burstBuffer)
        r.duration(s, "idle_teardown", in: path, allowed: ">= 1s", into: &transport.idleTeardown) { $0 >= .seconds(1) }
        // Unset, quiescent follows idle_teardown: max(10s, 2 x idle_teardown) (BEHAVIOR.md).
        if s["quiescent"] == nil { transport.quiescent = max(.seconds(10), transport.idleTeardown * 2) }
        r.duration(s, "quiescent", in: path, allowed: ">= 8s", into: &transport.quiescent) { $0 >= .seconds(8) }
        r.size(s, "lz4_block", in: path, allowed: "one of 64KiB, 256KiB, 1MiB, 4MiB", into: &transport.lz4Block) {
            [64 << 10, 256 << 10, 1 << 20, 4 << 20].contains($0)
        }
        r.bool(s, "lz4_frame_checksum", in: path, into: &transport.lz4FrameChecksum)
    }

    private mutating func readGateway(_ value: Any, with r: inout ConfigReader) {
        let path = "gateway"
        let known = [
            "connection_memory_limit", "connection_timeout", "header_timeout", "max_connections", "per_ip_connections",
            "max_lz4_block", "lz4_memory", "grace_period",
        ]
        guard let s = r.object(value, key: path, known: known) else { return }
        r.size(s, "connection_memory_limit", in: path, allowed: "in 4KiB..64MiB", into: &gateway.connectionMemoryLimit) {
            (4 << 10...64 << 20).contains($0)
        }
        r.duration(s, "connection_timeout", in: path, allowed: "0s (never) or 1s..24h", into: &gateway.connectionTimeout) {
            $0 == .zero || (.seconds(1) ... .seconds(86_400)).contains($0)
        }
        r.duration(s, "header_timeout", in: path, allowed: "in 1s..10m", into: &gateway.headerTimeout) {
            (.seconds(1) ... .seconds(600)).contains($0)
        }
        r.integer(s, "max_connections", in: path, range: 1...65_536, into: &gateway.maxConnections)
        r.field(
            s, "per_ip_connections", in: path, into: &gateway.perIPConnections,
            "must be an integer: 0 (no limit) or 1..65536"
        ) { ConfigReader.integer($0).flatMap { (0...65_536).contains($0) ? $0 : nil } }
        r.size(s, "max_lz4_block", in: path, allowed: "one of 64KiB, 256KiB, 1MiB, 4MiB", into: &gateway.maxLZ4Block) {
            [64 << 10, 256 << 10, 1 << 20, 4 << 20].contains($0)
        }
        let oneStream = LZ4FrameDecoder.memory(blockSize: gateway.maxLZ4Block)
        r.size(
            s, "lz4_memory", in: path,
            allowed: "in \(ByteSize.format(oneStream))..64GiB (at least what one stream with max_lz4_block blocks reserves)",
            into: &gateway.lz4Memory
        ) { (oneStream...64 << 30).contains($0) }
        r.duration(s, "grace_period", in: path, allowed: "in 0s..10m", into: &gateway.gracePeriod) { $0 <= .seconds(600) }
    }

    private mutating func readSender(_ value: Any, with r: inout ConfigReader) {
        let path = "sender"
        let known = [
            "connect_timeout", "retry_window", "write_timeout", "tcp_nodelay", "send_buffer", "chunk_size", "pdu_size",
            "compression",
        ]
        guard let s = r.object(value, key: path, known: known) else { return }
        r.duration(s, "connect_timeout", in: path, allowed: "in 100ms..5m", into: &sender.connectTimeout) {
            (.milliseconds(100) ... .seconds(300)).contains($0)
        }
        r.duration(s, "retry_window", in: path, allowed: "in 0s..10m", into: &sender.retryWindow) { $0 <= .seconds(600) }
        r.duration(s, "write_timeout", in: path, allowed: "0s (never) or 1s..1h", into: &sender.writeTimeout) {
            $0 == .zero || (.seconds(1) ... .seconds(3600)).contains($0)
        }
        r.bool(s, "tcp_nodelay", in: path, into: &sender.tcpNoDelay)
        r.size(s, "send_buffer", in: path, allowed: "0 (system default) or 4KiB..1GiB", into: &sender.sendBuffer) {
            $0 == 0 || (4 << 10...1 << 30).contains($0)
        }
        r.size(s, "chunk_size", in: path, allowed: "in 4KiB..16MiB", into: &sender.chunkSize) { (4 << 10...16 << 20).contains($0) }
        r.size(s, "pdu_size", in: path, allowed: "0 (no PDUs) or 32..131072", into: &sender.pduSize) {
            $0 == 0 || (32...131_072).contains($0)
        }
        r.choice(s, "compression", in: path, into: &sender.compression)
    }
}
