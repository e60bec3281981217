import Foundation
import ObjStreamCluster
import ObjStreamMetrics
import ObjStreamWire

/// Everything a stream can be told (`Extra`, plus the sender configuration).
public struct StreamOptions: Sendable {
    /// The sender node's id, sent as `Ais-Caller-Id`: no control bytes (CR, LF, NUL, ...).
    public var senderID: String = ""
    /// How many objects may wait in the send queue before `send` blocks (`Burst`).
    public var burst: Int = 1024
    /// The PDU size including its 16-byte header; 0: no PDUs. At most 128 KiB.
    public var pduSize: Int = 0
    /// The largest encoded object header the stream accepts.
    public var maxHeaderSize: Int = WireLimits.defaultHeaderSize
    /// Whether the body is compressed with lz4 (`Ais-Compress: lz4`).
    public var compressed = false
    /// The lz4 block size.
    public var lz4Block: LZ4BlockSize = .kib256
    /// Whether the lz4 frame carries a content checksum.
    public var lz4ContentChecksum = false
    /// The target size of an HTTP chunk.
    public var chunkSize = 1 << 20
    /// How long one connection attempt may take.
    public var connectTimeout: Duration = .seconds(3)
    /// How long connection attempts are retried before the stream fails.
    public var retryWindow: Duration = .seconds(10)
    /// The first sleep between connection attempts (then x1.5, capped at ``retryCap``).
    public var retryFirstSleep: Duration = .milliseconds(200)
    /// The longest sleep between connection attempts.
    public var retryCap: Duration = .seconds(3)
    /// Whether to set `TCP_NODELAY`.
    public var tcpNoDelay = true
    /// `SO_SNDBUF` in bytes; 0 keeps the kernel's.
    public var sendBuffer = 4 << 20
    /// How long a stream may send nothing before its request is ended (idle teardown).
    public var idleTeardown: Duration = .seconds(4)
    /// How long to wait for the receiver's response after the body ended.
    public var responseTimeout: Duration = .seconds(30)
    /// Confirmed delivery: objects complete when the receiver's answer says it has them,
    /// not when they are written. nil (the default, as the reference): complete when written.
    public var confirmation: DeliveryConfirmation?
    /// How long a write (`sendmsg`, `sendfile`) may make no progress before the stream ends
    /// with a ``SendError/Code/network`` error ("no progress for 30.0s"); also the sockets'
    /// `TCP_USER_TIMEOUT`. Zero: writes wait for as long as the kernel keeps the connection.
    public var writeTimeout: Duration = .seconds(30)
    /// The keepalive probes of stream sockets; nil: no keepalive.
    public var keepAlive: TCPKeepAlive? = TCPKeepAlive()
    /// How many objects may wait for the completion thread before the sender thread waits
    /// for it (back-pressure from slow callbacks); at least 1.
    public var completionBacklog = 65_536
    /// The callback of objects that have none of their own (`SentCB`).
    public var sentCallback: SentCallback?
    /// Called once per abnormal termination, not for `stop()` (`TermedCB`).
    public var terminationCallback: TerminationCallback?
    /// The collector that watches the stream; nil: no idle teardown.
    public var collector: StreamCollector? = .shared
    /// Where the `objstream_tx_*` metrics go.
    public var metrics: MetricsRegistry = .shared
    /// Who the sender is in its cluster: the map version every request carries, and the key
    /// that signs each request (WIRE.md section 7); nil: neither. Its node must be ``senderID``.
    public var cluster: ClusterCaller?
    /// The TLS credentials of `https://` streams (trusted authorities, the sender's own
    /// certificate); nil: the system's trust store and no client certificate.
    public var tls: TLSClientCredentials?
    /// Whether to encode and discard everything; nil: `AIS_STREAM_DRY_RUN=true` decides.
    public var dryRun: Bool?

    /// Creates options with every default.
    public init() {}

    /// Whether the environment asks for dry runs (`AIS_STREAM_DRY_RUN=true`).
    static var dryRunFromEnvironment: Bool {
        ProcessInfo.processInfo.environment["AIS_STREAM_DRY_RUN"]?.lowercased() == "true"
    }

    /// Checks the ranges.
    /// - Throws: ``SendError`` with ``SendError/Code/invalidOptions`` naming the option.
    func validate() throws(SendError) {
        func fail(_ what: String) -> SendError { SendError(code: .invalidOptions, message: what) }
        if burst < 1 { throw fail("burst \(burst) must be at least 1") }
        if pduSize != 0 && (pduSize <= ProtoHeader.size || pduSize > WireLimits.maxPDUSize) {
            throw fail("PDU size \(pduSize) must be 0 or \(ProtoHeader.size + 1)..\(WireLimits.maxPDUSize)")
        }
        if maxHeaderSize < 1 || maxHeaderSize > WireLimits.maxHeaderSize {
            throw fail("max header size \(maxHeaderSize) must be 1..\(WireLimits.maxHeaderSize)")
        }
        if chunkSize < 512 || chunkSize > 64 << 20 { throw fail("chunk size \(chunkSize) must be 512 B..64 MiB") }
        if idleTeardown <= .zero { throw fail("idle teardown \(idleTeardown) must be positive") }
        if connectTimeout <= .zero { throw fail("connect timeout \(connectTimeout) must be positive") }
        if let confirmation {
            if confirmation.maxBytes < 1 { throw fail("confirmation bytes \(confirmation.maxBytes) must be at least 1") }
            if confirmation.maxDelay <= .zero { throw fail("confirmation delay \(confirmation.maxDelay) must be positive") }
        }
        if writeTimeout < .zero { throw fail("write timeout \(writeTimeout) must be zero (never) or positive") }
        if let problem = keepAlive?.problem { throw fail(problem) }
        if completionBacklog < 1 { throw fail("completion backlog \(completionBacklog) must be at least 1") }
        if let problem = senderID.controlByteProblem(field: "sender id", goesInto: "the Ais-Caller-Id header") {
            throw fail(problem)
        }
        if let cluster, cluster.node != senderID {
            throw fail("sender id '\(senderID)' is not the cluster node '\(cluster.node)' the requests are signed as")
        }
    }
}
