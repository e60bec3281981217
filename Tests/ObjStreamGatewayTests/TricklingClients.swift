import Foundation
import ObjStreamTestSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Connections that send a request's head one byte a second and never finish it in time (a
/// slowloris): a writer thread writes the next byte on every open connection each second and
/// notes when the gateway closes one. The pace is the workload; no verdict rests on it.
final class TricklingClients: Sendable {
    private struct State {
        var fds: [Int32] = []
        var connected: [ContinuousClock.Instant] = []
        var closed: [ContinuousClock.Instant?] = []
        var stopping = false
        var running = false
    }

    private let state = Mutex(State())
    private let text: [UInt8]

    /// Connects `count` sockets to `127.0.0.1:port`, one after another, and starts trickling.
    /// - Parameters:
    ///   - port: The gateway's port.
    ///   - count: How many connections.
    ///   - source: The loopback address to connect from; nil lets the kernel pick.
    ///   - text: What each connection trickles (a request head that is never complete in time).
    init(port: UInt16, count: Int, source: String? = nil, text: String) throws {
        self.text = Array(text.utf8)
        for _ in 0..<count {
            // Taken before the connect: the gateway cannot have accepted it earlier.
            let started = ContinuousClock.now
            let client = try RawHTTPClient(port: port, source: source)
            let fd = dup(client.fd)
            LoopbackTCP.setNonBlocking(fd)
            state.withLock {
                $0.fds.append(fd)
                $0.connected.append(started)
                $0.closed.append(nil)
            }
        }
        state.withLock { $0.running = true }
        let thread = Thread { [self] in trickle() }
        thread.start()
    }

    /// Connections the gateway has closed so far.
    var closedCount: Int { state.withLock { $0.closed.count { $0 != nil } } }

    /// Connections still open.
    var openCount: Int { state.withLock { $0.closed.count { $0 == nil } } }

    /// For each closed connection, how long after its connect began the gateway closed it.
    var lifetimes: [Duration] {
        state.withLock { s in zip(s.connected, s.closed).compactMap { start, end in end.map { $0 - start } } }
    }

    /// The writer: a byte per open connection a second, until every connection is closed or ``stop()``.
    private func trickle() {
        var offset = 0
        var nextWrite = ContinuousClock.now + .seconds(1)
        while true {
            let (fds, open) = state.withLock { s -> ([Int32], [Bool]) in (s.fds, s.closed.map { $0 == nil }) }
            if state.withLock({ $0.stopping }) || !open.contains(true) { break }
            var entries = fds.enumerated().filter { open[$0.offset] }.map {
                pollfd(fd: $0.element, events: Int16(POLLIN) | LoopbackTCP.peerClosedEvent, revents: 0)
            }
            let wait = max(0, Int32((ContinuousClock.now.duration(to: nextWrite)).components.attoseconds / 1_000_000_000_000_000)
                + Int32(ContinuousClock.now.duration(to: nextWrite).components.seconds * 1000))
            _ = poll(&entries, nfds_t(entries.count), min(wait, 1000))
            var scratch = [UInt8](repeating: 0, count: 4096)
            for entry in entries where entry.revents != 0 {
                if recv(entry.fd, &scratch, scratch.count, Int32(MSG_DONTWAIT)) <= 0 && errno != EAGAIN {
                    markClosed(entry.fd)
                }
            }
            guard ContinuousClock.now >= nextWrite else { continue }
            nextWrite = .now + .seconds(1)
            let byte = [text[offset % text.count]]
            offset += 1
            for entry in entries where state.withLock({ s in s.closed[s.fds.firstIndex(of: entry.fd)!] == nil }) {
                if send(entry.fd, byte, 1, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) < 0 && errno != EAGAIN {
                    markClosed(entry.fd)
                }
            }
        }
        state.withLock { $0.running = false }
    }

    private func markClosed(_ fd: Int32) {
        state.withLock { s in
            if let i = s.fds.firstIndex(of: fd), s.closed[i] == nil { s.closed[i] = .now }
        }
    }

    /// Stops trickling and closes every connection.
    func stop() {
        state.withLock { $0.stopping = true }
        _ = eventually { !state.withLock { $0.running } }
        for fd in state.withLock({ $0.fds }) { close(fd) }
        state.withLock { $0.fds = [] }
    }

    deinit { stop() }
}
