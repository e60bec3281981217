import Foundation
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// The connection limits of one listener, enforced on libmicrohttpd's callbacks: how many
/// connections at once, how many from one address, and how long a request's headers may take.
///
/// - **Admission** (the daemon's accept policy, on its listening thread): a connection beyond
///   `maxConnections`, or beyond `perAddress` from its peer's address, is closed at once and
///   counted (`max_connections`, `per_ip_connections`). libmicrohttpd's own
///   `MHD_OPTION_PER_IP_CONNECTION_LIMIT` closes such connections the same way but cannot say
///   that it did (its one log line is shared with the connection limit), so the guard keeps the
///   table itself, keyed by address like libmicrohttpd's (IPv4-mapped IPv6 as IPv4).
/// - **Header deadline**: libmicrohttpd's connection timeout starts over with every byte, so a
///   peer that trickles a byte a second holds a connection forever. Each connection is armed
///   with a deadline when it opens (`MHD_OPTION_NOTIFY_CONNECTION`) and again when a request
///   on it ends; the first call of the access handler (the headers are complete) disarms it.
///   One watchdog thread sleeps until the earliest deadline and shuts down (`shutdown(2)`)
///   the sockets of connections still armed then, counted as `header_timeout`; the
///   connection's own thread then sees the end of its socket and closes it. The entry of a
///   connection goes away in the `MHD_CONNECTION_NOTIFY_CLOSED` callback, which libmicrohttpd
///   calls before it closes the socket, and the watchdog shuts sockets down under the same
///   lock: it never touches a descriptor number that was closed and reused meanwhile.
///
/// Deadlines are kept in arming order, which is deadline order (the timeout is one for the
/// listener): arming, disarming and expiring cost O(1) each.
final class ConnectionGuard: Sendable {
    /// The limits.
    struct Limits: Sendable {
        /// The most connections at once.
        var maxConnections: Int
        /// The most connections at once from one address; 0: no limit.
        var perAddress: Int
        /// How long a request's headers may take.
        var headerTimeout: Duration
        /// Whether a TLS listener requires and verifies a client certificate on each connection
        /// (mutual TLS; set on its GnuTLS session when it opens, before the handshake).
        var requiresClientCertificates = false
    }

    private struct Entry {
        var fd: Int32
        var address: [UInt8]
        /// The peer's address in words, for the log.
        var peer: String
        /// The generation of the deadline the connection is armed with; nil when disarmed.
        var armed: UInt64?
    }

    private struct Deadline {
        var connection: UInt
        var generation: UInt64
        var at: ContinuousClock.Instant
    }

    private struct State {
        var entries: [UInt: Entry] = [:]
        var perAddress: [[UInt8]: Int] = [:]
        var deadlines: [Deadline] = []
        var head = 0
        var generation: UInt64 = 0
        var watchdogRunning = false
        var stopping = false
    }

    /// The limits this guard enforces.
    let limits: Limits
    let metrics: ConnectionMetrics
    private let log: RateLimitedLog
    private let logs: [RateLimitedLog]
    private let listener: String
    private let condition = ConditionVariable()
    private nonisolated(unsafe) var state = State()

    /// Creates a guard; call ``startWatchdog()`` before the daemon starts.
    /// - Parameters:
    ///   - limits: The limits.
    ///   - metrics: Where open connections and refusals are counted.
    ///   - listener: The listener's name, for log lines (`stream`, `admin`).
    ///   - log: Where refusals are logged (rate-limited).
    ///   - otherLogs: More rate-limited logs of the listener whose suppressed lines the
    ///     watchdog reports (libmicrohttpd's).
    init(
        limits: Limits, metrics: ConnectionMetrics, listener: String, log: RateLimitedLog,
        otherLogs: [RateLimitedLog] = []
    ) {
        self.limits = limits
        self.metrics = metrics
        self.listener = listener
        self.log = log
        self.logs = [log] + otherLogs
    }

    /// The connections open now.
    var openConnections: Int { condition.withLock { state.entries.count } }

    /// Whether the listener holds as many connections as it may.
    var isAtLimit: Bool { openConnections >= limits.maxConnections }

    /// Decides on a new connection, before libmicrohttpd takes it (the accept policy).
    /// - Parameter peer: The peer's address; nil when it is not IPv4 or IPv6.
    /// - Returns: Whether the connection is taken; a refused one is counted and logged.
    func admit(_ peer: SocketAddress?) -> Bool {
        let key = peer?.addressBytes ?? []
        let refusal: LimitReason? = condition.withLock {
            if state.entries.count >= limits.maxConnections { return .maxConnections }
            if limits.perAddress > 0, state.perAddress[key, default: 0] >= limits.perAddress { return .perIPConnections }
            return nil
        }
        guard let refusal else { return true }
        metrics.reject(refusal)
        let limit = refusal == .maxConnections ? limits.maxConnections : limits.perAddress
        log(
            "objstream: \(listener) listener refused a connection from \(peer?.host ?? "?"): \(limit) open"
                + "\(refusal == .maxConnections ? "" : " from this address") (\(refusal.rawValue))")
        return false
    }

    /// Takes in a connection that libmicrohttpd opened, and arms its header deadline.
    /// - Parameters:
    ///   - connection: The connection (`MHD_Connection *`).
    ///   - fd: Its socket.
    ///   - peer: The peer's address.
    func opened(_ connection: UInt, fd: Int32, peer: SocketAddress?) {
        let key = peer?.addressBytes ?? []
        condition.withLock {
            state.entries[connection] = Entry(fd: fd, address: key, peer: peer?.host ?? "?", armed: nil)
            state.perAddress[key, default: 0] += 1
            arm(connection)
        }
        metrics.open.increment()
    }

    /// Forgets a connection that libmicrohttpd is about to close.
    /// - Parameter connection: The connection.
    func closed(_ connection: UInt) {
        let removed = condition.withLock { () -> Bool in
            guard let entry = state.entries.removeValue(forKey: connection) else { return false }
            let left = state.perAddress[entry.address, default: 1] - 1
            state.perAddress[entry.address] = left > 0 ? left : nil
            return true
        }
        if removed { metrics.open.decrement() }
    }

    /// Disarms a connection's header deadline: its request's headers are complete.
    /// - Parameter connection: The connection.
    func headersComplete(_ connection: UInt) {
        condition.withLock { state.entries[connection]?.armed = nil }
    }

    /// Notes the end of a request: counts a connection timeout, and arms the header deadline
    /// again for the next request on the connection (keep-alive).
    /// - Parameters:
    ///   - connection: The connection.
    ///   - timedOut: Whether libmicrohttpd ended the request for its connection timeout.
    func requestEnded(_ connection: UInt, timedOut: Bool) {
        if timedOut { metrics.reject(.connectionTimeout) }
        condition.withLock { if state.entries[connection] != nil { arm(connection) } }
    }

    /// Arms a connection's deadline; call with the lock held.
    private func arm(_ connection: UInt) {
        state.generation += 1
        let generation = state.generation
        let wasIdle = state.head == state.deadlines.count
        state.entries[connection]?.armed = generation
        state.deadlines.append(Deadline(connection: connection, generation: generation, at: .now + limits.headerTimeout))
        if wasIdle { condition.signal() }
    }

    /// Starts the watchdog thread.
    func startWatchdog() {
        condition.withLock {
            state.stopping = false
            state.watchdogRunning = true
        }
        let thread = Thread { [self] in watch() }
        thread.name = "objstream-\(listener)-header-watchdog"
        thread.start()
    }

    /// Stops the watchdog thread and waits until it has.
    func stopWatchdog() {
        condition.withLock {
            state.stopping = true
            condition.broadcast()
            _ = condition.wait(for: { !state.watchdogRunning }, timeout: nil)
        }
    }

    /// Reports suppressed log lines once their interval is over; call with the lock held.
    private func flushLog() {
        guard logs.contains(where: { $0.suppressedCount > 0 }) else { return }
        condition.unlock()
        for log in logs { log.flush(onlyAfterInterval: true) }
        condition.lock()
    }

    /// The watchdog: sleeps until the earliest armed deadline, cuts what has expired.
    private func watch() {
        condition.lock()
        defer {
            state.watchdogRunning = false
            condition.broadcast()
            condition.unlock()
        }
        while !state.stopping {
            while state.head < state.deadlines.count {
                let first = state.deadlines[state.head]
                guard state.entries[first.connection]?.armed == first.generation else {
                    state.head += 1
                    continue
                }
                break
            }
            if state.head > 1024 && state.head * 2 > state.deadlines.count {
                let expired = state.head
                state.deadlines.removeFirst(expired)
                state.head = 0
            }
            // Lines suppressed by the rate limit are reported within a second or so.
            let reportBy: ContinuousClock.Instant? =
                logs.contains { $0.suppressedCount > 0 } ? .now + .seconds(1) : nil
            guard state.head < state.deadlines.count else {
                if let reportBy { _ = condition.wait(until: reportBy) } else { condition.wait() }
                flushLog()
                continue
            }
            let first = state.deadlines[state.head]
            guard first.at <= .now else {
                _ = condition.wait(until: min(first.at, reportBy ?? first.at))
                flushLog()
                continue
            }
            state.head += 1
            if let entry = state.entries[first.connection] {
                state.entries[first.connection]?.armed = nil
                // Counted before the cut: whoever sees the connection close sees it counted.
                metrics.reject(.headerTimeout)
                shutdown(entry.fd, Int32(SHUT_RDWR))
                condition.unlock()
                log(
                    "objstream: \(listener) listener closed the connection from \(entry.peer): its request headers "
                        + "took more than \(limits.headerTimeout) (header_timeout)")
                condition.lock()
            }
        }
    }
}
