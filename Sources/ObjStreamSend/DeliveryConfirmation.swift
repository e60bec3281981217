/// When a stream in confirmed mode asks the receiver what it has: the current request
/// ends at a frame boundary once this much is unconfirmed, or the send queue runs dry,
/// and its objects complete by the receiver's answer (``DeliveryReceipt``).
///
/// The next objects go on a new request of the same session, as after an idle teardown,
/// so a reference receiver needs nothing new: its empty `200` confirms everything.
/// Objects wait for their answer with their sources already closed, so a large window
/// holds no open files.
///
/// The requests of a session share one connection while the receiver keeps it open
/// (HTTP/1.1 keep-alive), and each goes out behind the previous one's unread answer
/// (pipelining, one deep; only once the receiver's last answer kept its connection open):
/// the answers come back in order, each completing its own request's objects.
public struct DeliveryConfirmation: Sendable, Hashable {
    /// Frame bytes (before compression) of a request after which it is ended and confirmed.
    public var maxBytes: Int64
    /// How long a request may carry unconfirmed objects before it is ended and confirmed.
    public var maxDelay: Duration
    /// How many requests one connection carries before the next goes on a new one; 0: no limit.
    public var requestsPerConnection: Int

    /// Creates a confirmation policy.
    /// - Parameters:
    ///   - maxBytes: Frame bytes per confirmed request (default 64 MiB).
    ///   - maxDelay: Time per confirmed request (default 1 s).
    ///   - requestsPerConnection: Requests per connection (default 0: no limit).
    public init(maxBytes: Int64 = 64 << 20, maxDelay: Duration = .seconds(1), requestsPerConnection: Int = 0) {
        self.maxBytes = maxBytes
        self.maxDelay = maxDelay
        self.requestsPerConnection = requestsPerConnection
    }
}
