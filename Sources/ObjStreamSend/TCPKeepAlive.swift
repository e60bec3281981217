/// TCP keepalive probes of a stream socket (`SO_KEEPALIVE`, `TCP_KEEPIDLE`,
/// `TCP_KEEPINTVL`, `TCP_KEEPCNT`): while a connection is idle, the kernel probes the peer
/// and drops the connection when it stops answering, so a dead receiver shows even when
/// nothing is being written.
public struct TCPKeepAlive: Sendable, Equatable {
    /// How long a connection is idle before the first probe (`TCP_KEEPIDLE`, whole seconds).
    public var idle: Duration
    /// The time between probes (`TCP_KEEPINTVL`, whole seconds).
    public var interval: Duration
    /// How many unanswered probes drop the connection (`TCP_KEEPCNT`).
    public var count: Int

    /// Creates keepalive settings.
    /// - Parameters:
    ///   - idle: Idle time before the first probe, 1 s..32767 s.
    ///   - interval: Time between probes, 1 s..32767 s.
    ///   - count: Unanswered probes that drop the connection, 1..127.
    public init(idle: Duration = .seconds(15), interval: Duration = .seconds(5), count: Int = 3) {
        self.idle = idle
        self.interval = interval
        self.count = count
    }

    /// Why the settings are out of the kernel's ranges, or nil when they are not.
    var problem: String? {
        let seconds = Duration.seconds(1) ... .seconds(32767)
        if !seconds.contains(idle) { return "keepalive idle \(idle) must be 1s..32767s" }
        if !seconds.contains(interval) { return "keepalive interval \(interval) must be 1s..32767s" }
        if !(1...127).contains(count) { return "keepalive count \(count) must be 1..127" }
        return nil
    }
}
