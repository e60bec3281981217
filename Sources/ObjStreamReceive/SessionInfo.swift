/// The identity of one stream session (one `PUT /v1/objstream/<trname>` request).
public struct SessionInfo: Sendable, Hashable, CustomStringConvertible {
    /// The endpoint name (`trname`, the last segment of the path).
    public var trname: String
    /// The sender node's id (`Ais-Caller-Id`), empty when absent.
    public var senderID: String
    /// The stream's session id (`Ais-Session-Id`).
    public var sessionID: Int64
    /// Whether the body is one lz4 frame (`Ais-Compress: lz4`).
    public var compressed: Bool
    /// The peer's address, `host:port`.
    public var remoteAddress: String

    /// Creates a session description.
    public init(trname: String, senderID: String = "", sessionID: Int64 = 0, compressed: Bool = false, remoteAddress: String = "") {
        self.trname = trname
        self.senderID = senderID
        self.sessionID = sessionID
        self.compressed = compressed
        self.remoteAddress = remoteAddress
    }

    /// `trname[sender/sid]`.
    public var description: String { "\(trname)[\(senderID.isEmpty ? "?" : senderID)/\(sessionID)]" }
}
