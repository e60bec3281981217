import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// One connection through ``FaultProxy``, on a thread of its own: forwards both
/// directions with `poll`, `recv` and `send` on non-blocking sockets (half-closes
/// forwarded, resets propagated), and does its planned fault when the client's bytes reach
/// the fault's offset.
struct ProxiedConnection: Sendable {
    let index: Int
    let client: Int32
    let upstream: Int32
    /// The planned fault, not yet hit.
    let fault: (kind: Fault, offset: Int)?
    /// Readable once the proxy closes.
    let wake: Int32
    let proxy: FaultProxy

    private static let bufferSize = 65_536
    private static let readable = POLLIN | POLLHUP | POLLERR
    private static let writable = POLLOUT | POLLHUP | POLLERR

    /// Forwards until both sides are done, a side fails, the fault ends the connection,
    /// or the proxy closes; then closes both sockets and tells the proxy.
    func run() {
        LoopbackTCP.setNonBlocking(client)
        LoopbackTCP.setNonBlocking(upstream)
        let toUpstream = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        let toClient = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
        defer {
            toUpstream.deallocate()
            toClient.deallocate()
            proxy.finished(index)
        }
        // The bytes read and not yet written, per direction.
        var upstreamBound = 0..<0
        var clientBound = 0..<0
        var clientSending = true
        var upstreamSending = true
        var forwarded = 0
        var pending = fault
        // The fault, once hit: it is done when the bytes before it are all forwarded.
        var hit: Fault?
        let noSignal = Int32(MSG_NOSIGNAL)

        while true {
            if let kind = hit, upstreamBound.isEmpty {
                return strike(kind, at: forwarded)
            }
            if !clientSending && !upstreamSending && upstreamBound.isEmpty && clientBound.isEmpty {
                close(client)
                close(upstream)
                return
            }
            let readClient = clientSending && upstreamBound.isEmpty && hit == nil
            let readUpstream = upstreamSending && clientBound.isEmpty
            var fds = [
                Self.pollEntry(client, (readClient ? POLLIN : 0) | (clientBound.isEmpty ? 0 : POLLOUT)),
                Self.pollEntry(upstream, (readUpstream ? POLLIN : 0) | (upstreamBound.isEmpty ? 0 : POLLOUT)),
                pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
            ]
            guard retryingOnInterrupt({ poll(&fds, nfds_t(fds.count), -1) }) >= 0, fds[2].revents == 0 else {
                return abandon(pending != nil)
            }
            let (clientEvents, upstreamEvents) = (Int32(fds[0].revents), Int32(fds[1].revents))

            if readClient && clientEvents & Self.readable != 0 {
                let n = recv(client, toUpstream.baseAddress, toUpstream.count, 0)
                if n > 0 {
                    upstreamBound = 0..<n
                    if let (kind, offset) = pending, forwarded + n > offset {
                        pending = nil
                        let at = offset - forwarded
                        if kind == .flip {
                            toUpstream[at] ^= 0x01
                            proxy.injected(InjectedFault(connection: index, kind: kind, offset: offset))
                        } else {
                            upstreamBound = 0..<at
                            hit = kind
                        }
                    }
                } else if n == 0 {
                    clientSending = false
                    shutdown(upstream, Int32(SHUT_WR))
                    if pending != nil { proxy.lapsed(index) }
                    pending = nil
                } else if errno != EAGAIN {
                    return fail(reset: upstream, close: client, lapsing: pending != nil)
                }
            }
            if !upstreamBound.isEmpty && upstreamEvents & Self.writable != 0 {
                let start = toUpstream.baseAddress! + upstreamBound.lowerBound
                let n = send(upstream, start, upstreamBound.count, noSignal)
                if n >= 0 {
                    upstreamBound = (upstreamBound.lowerBound + n)..<upstreamBound.upperBound
                    forwarded += n
                } else if errno != EAGAIN {
                    return fail(reset: client, close: upstream, lapsing: pending != nil || hit != nil)
                }
                // The bytes before the fault are all forwarded: nothing more moves before it is done.
                if hit != nil && upstreamBound.isEmpty { continue }
            }
            if readUpstream && upstreamEvents & Self.readable != 0 {
                let n = recv(upstream, toClient.baseAddress, toClient.count, 0)
                if n > 0 {
                    clientBound = 0..<n
                } else if n == 0 {
                    upstreamSending = false
                    shutdown(client, Int32(SHUT_WR))
                } else if errno != EAGAIN {
                    return fail(reset: client, close: upstream, lapsing: pending != nil || hit != nil)
                }
            }
            if !clientBound.isEmpty && clientEvents & Self.writable != 0 {
                let start = toClient.baseAddress! + clientBound.lowerBound
                let n = send(client, start, clientBound.count, noSignal)
                if n >= 0 {
                    clientBound = (clientBound.lowerBound + n)..<clientBound.upperBound
                } else if errno != EAGAIN {
                    return fail(reset: upstream, close: client, lapsing: pending != nil || hit != nil)
                }
            }
        }
    }

    /// Does the fault, now that exactly `offset` client bytes reached the upstream.
    private func strike(_ kind: Fault, at offset: Int) {
        proxy.injected(InjectedFault(connection: index, kind: kind, offset: offset))
        switch kind {
        case .cut:
            LoopbackTCP.closeCleanly(upstream)
            LoopbackTCP.closeCleanly(client)
        case .reset:
            LoopbackTCP.reset(client)
            LoopbackTCP.closeCleanly(upstream)
        case .stall:
            // Nothing is read or written any more; only the client's FIN or RST is awaited.
            _ = waitForClient(events: LoopbackTCP.peerClosedEvent)
            LoopbackTCP.closeCleanly(upstream)
            close(client)
        case .truncate:
            LoopbackTCP.closeCleanly(upstream)
            var scratch = [UInt8](repeating: 0, count: Self.bufferSize)
            while waitForClient(events: Int16(POLLIN)) {
                let n = scratch.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if n == 0 || (n < 0 && errno != EAGAIN) { break }
            }
            close(client)
        case .flip:
            preconditionFailure("a flip does not end the connection")
        }
    }

    /// Waits for an event on the client socket (any error or hang-up included).
    /// - Returns: false when the proxy closed meanwhile.
    private func waitForClient(events: Int16) -> Bool {
        var fds = [pollfd(fd: client, events: events, revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        let rc = retryingOnInterrupt { poll(&fds, nfds_t(fds.count), -1) }
        return rc >= 0 && fds[1].revents == 0
    }

    /// One side failed: the other is reset, as the failed one was (or closed, as it was).
    private func fail(reset: Int32, close other: Int32, lapsing: Bool) {
        if lapsing { proxy.lapsed(index) }
        LoopbackTCP.reset(reset)
        close(other)
    }

    /// The proxy is closing: both sockets go.
    private func abandon(_ lapsing: Bool) {
        if lapsing { proxy.lapsed(index) }
        close(client)
        close(upstream)
    }

    /// A `poll` entry; a socket with no events is left out (`fd` -1), so that its
    /// hang-up does not wake a loop that cannot act on it yet.
    private static func pollEntry(_ fd: Int32, _ events: Int32) -> pollfd {
        pollfd(fd: events == 0 ? -1 : fd, events: Int16(events), revents: 0)
    }
}
