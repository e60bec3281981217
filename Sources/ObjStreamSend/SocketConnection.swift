import ObjStreamWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One TCP connection of a stream request: connect with a timeout, gather writes,
/// `sendfile(2)`, and the response read; for `https://` URLs all of it through a
/// ``TLSSession`` (see `SocketConnection+TLS.swift`; no `sendfile` then).
///
/// The socket is non-blocking: a write that the socket takes at once costs one system call,
/// and only when it is full does the sender `poll` for room, for at most the write timeout
/// since it last took a byte; then the write fails. The kernel gives up on a peer that stops
/// acknowledging too (`TCP_USER_TIMEOUT`, keepalive probes while idle).
///
/// Confined to the stream's sender thread, except ``shutdown()``, which any thread
/// may call to unblock it: shutdown and close take the same lock, so a descriptor is
/// never shut down once closed (when its number may already belong to another file).
final class SocketConnection: @unchecked Sendable {
    private let socket: FileDescriptor
    let address: String
    /// How long a write may make no progress; zero: forever.
    let writeTimeout: Duration
    /// Whether ``close()`` ran; guards ``shutdown()`` against a closed (reused) descriptor.
    private let closed = Mutex(false)
    /// Whether `sendmsg` or `sendfile` took any byte on this connection.
    var hasWritten = false
    /// Bytes read past the last response: the start of the next one.
    private var received: [UInt8] = []
    /// How many requests this connection carried to their end.
    var requests = 0
    /// The TLS session of an `https://` connection, after its handshake; nil for plain TCP.
    var tls: TLSSession?

    /// The socket's descriptor, for system calls.
    var descriptor: Int32 { socket.rawValue }

    private init(socket: FileDescriptor, address: String, writeTimeout: Duration) {
        self.socket = socket
        self.address = address
        self.writeTimeout = writeTimeout
    }

    /// Connects to an endpoint and sets the stream socket options.
    /// - Parameters:
    ///   - url: The destination.
    ///   - options: The connect timeout, `TCP_NODELAY`, `SO_SNDBUF`, the write timeout
    ///     (for writes and as `TCP_USER_TIMEOUT`) and the keepalive probes.
    /// - Returns: The connected socket, in non-blocking mode.
    /// - Throws: ``SystemError`` or ``NameResolutionError`` (check ``isRetryable(_:)``), or
    ///   ``SendError`` with ``SendError/Code/invalidURL`` when the host does not resolve.
    /// The corresponding C functions are `getaddrinfo`, `socket`, `connect` and `setsockopt`.
    static func connect(to url: EndpointURL, options: StreamOptions) throws -> SocketConnection {
        _ = ignoreBrokenPipes
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(url.host, String(url.port), &hints, &list)
        if rc == EAI_AGAIN { throw NameResolutionError(host: url.host, code: rc) }
        guard rc == 0, let first = list else {
            throw SendError(
                code: .invalidURL, message: "cannot resolve \(url.host): \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = SystemError(operation: "connect \(url.address)", errno: ECONNREFUSED)
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let ai = entry {
            entry = ai.pointee.ai_next
            let raw = Glibc.socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard raw >= 0 else {
                lastError = SystemError(operation: "socket", errno: errno)
                continue
            }
            let socket = FileDescriptor(adopting: raw)
            let fd = socket.rawValue
            if let e = attempt(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen, options.connectTimeout) {
                socket.close()
                lastError = SystemError(operation: "connect \(url.address)", errno: e)
                continue
            }
            configure(fd, options)
            let connection = SocketConnection(socket: socket, address: url.address, writeTimeout: options.writeTimeout)
            if url.isTLS {
                do {
                    try connection.startTLS(host: url.host, options: options)
                } catch {
                    connection.close()
                    throw error
                }
            }
            return connection
        }
        throw lastError
    }

    /// Whether a failed ``connect(to:options:)`` may be tried again: refused, timed out,
    /// unreachable (``SystemError/isRetryableConnectError``), or a temporary name resolution failure.
    /// - Parameter error: What `connect(to:options:)` threw.
    /// - Returns: Whether to retry within the retry window.
    static func isRetryable(_ error: any Error) -> Bool {
        if let e = error as? SystemError { return e.isRetryableConnectError }
        return error is NameResolutionError
    }

    /// Whether a failed write may be repeated on a new connection: the peer reset this one
    /// (`ECONNRESET`, `EPIPE`) before it took a single byte, so nothing of the request reached
    /// the receiver (a connection accepted by a listener that was closing, say).
    /// - Parameter error: What ``write(_:count:)`` threw.
    /// - Returns: Whether to reconnect and write the same bytes again.
    /// Not under TLS: a receiver that resets a TLS connection right after the handshake may have
    /// refused the sender's certificate, which a new connection would not change.
    func isResetBeforeFirstByte(_ error: SystemError) -> Bool {
        tls == nil && !hasWritten && (error.errno == ECONNRESET || error.errno == EPIPE)
    }

    /// Sets the options of a stream socket: `TCP_NODELAY`, `SO_SNDBUF`, the write timeout as
    /// `TCP_USER_TIMEOUT` (the kernel drops a connection whose data stays unacknowledged, or
    /// whose peer's window stays shut, for that long: a dead peer shows while no write waits
    /// too), and `SO_KEEPALIVE` with its probes.
    /// Failures are ignored: each option only makes a dead peer show sooner.
    /// - Parameters:
    ///   - fd: The connected socket.
    ///   - options: The stream's options.
    /// The corresponding C function is `setsockopt`.
    private static func configure(_ fd: Int32, _ options: StreamOptions) {
        func set(_ level: Int32, _ name: Int32, _ value: Int32) {
            var v = value
            setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
        }
        let tcp = Int32(IPPROTO_TCP)
        set(tcp, TCP_NODELAY, options.tcpNoDelay ? 1 : 0)
        if options.sendBuffer > 0 { set(SOL_SOCKET, SO_SNDBUF, Int32(clamping: options.sendBuffer)) }
        if options.writeTimeout > .zero {
            set(tcp, TCP_USER_TIMEOUT, Int32(clamping: max(1, options.writeTimeout.milliseconds)))
        }
        if let keepAlive = options.keepAlive {
            set(SOL_SOCKET, SO_KEEPALIVE, 1)
            set(tcp, TCP_KEEPIDLE, Int32(clamping: keepAlive.idle.components.seconds))
            set(tcp, TCP_KEEPINTVL, Int32(clamping: keepAlive.interval.components.seconds))
            set(tcp, TCP_KEEPCNT, Int32(clamping: keepAlive.count))
        }
    }

    /// `sendfile(2)` has no `MSG_NOSIGNAL`: a receiver that goes away would kill the process
    /// with `SIGPIPE`. The sender turns it off once for the process (Go's runtime does the same);
    /// writes then fail with `EPIPE`, which terminates the stream.
    /// The corresponding C function is `signal`.
    private static let ignoreBrokenPipes: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    /// One non-blocking connect, waited for with `poll`; returns the errno or nil. The socket
    /// stays non-blocking.
    private static func attempt(
        _ fd: Int32, _ addr: UnsafeMutablePointer<sockaddr>?, _ len: socklen_t, _ timeout: Duration
    ) -> Int32? {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        if Glibc.connect(fd, addr, len) != 0 {
            guard errno == EINPROGRESS || errno == EINTR else { return errno }
            let deadline = ContinuousClock.now + timeout
            while true {
                let left = ContinuousClock.now.duration(to: deadline)
                if left <= .zero { return ETIMEDOUT }
                var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let n = retryingOnInterrupt { poll(&pfd, 1, Int32(max(1, left.milliseconds))) }
                if n < 0 { return errno }
                if n == 0 { return ETIMEDOUT }
                break
            }
            var soError: Int32 = 0
            var soLen = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &soLen)
            if soError != 0 { return soError }
        }
        return nil
    }

    /// Writes every byte of a gather list, resuming after partial writes and `EINTR`, and
    /// waiting (``awaitRoom(_:since:)``) whenever the socket is full.
    /// - Parameters:
    ///   - iov: The vectors; they are advanced in place as bytes go out (and left as they
    ///     were when the first `sendmsg` fails).
    ///   - count: How many vectors.
    /// - Throws: ``SystemError`` for `sendmsg`; `ETIMEDOUT` naming the write timeout when
    ///   no byte went out for that long.
    /// The corresponding C functions are `sendmsg` (a `writev` with `MSG_NOSIGNAL`) and `poll`.
    func write(_ iov: UnsafeMutablePointer<iovec>, count: Int) throws(SystemError) {
        if let tls { return try writeTLS(tls, iov, count: count) }
        var first = 0
        var stalled: ContinuousClock.Instant?
        while first < count, iov[first].iov_len == 0 { first += 1 }
        while first < count {
            var msg = msghdr()
            msg.msg_iov = iov + first
            msg.msg_iovlen = count - first
            let n = retryingOnInterrupt { sendmsg(descriptor, &msg, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                guard errno == EAGAIN || errno == EWOULDBLOCK else { throw writeError("sendmsg", errno) }
                // Full: wait for room, counting from the last byte taken (this call took none).
                let since = stalled ?? .now
                stalled = since
                try awaitRoom("sendmsg", since: since)
                continue
            }
            hasWritten = true
            stalled = nil
            var left = n
            while first < count, left >= iov[first].iov_len {
                left -= iov[first].iov_len
                first += 1
            }
            if left > 0 {
                iov[first].iov_base += left
                iov[first].iov_len -= left
            }
            while first < count, iov[first].iov_len == 0 { first += 1 }
            if first < count {
                // Taken in part: the socket is full now.
                let now = ContinuousClock.now
                stalled = now
                try awaitRoom("sendmsg", since: now)
            }
        }
    }

    /// Waits until the socket has room (or an error that the next write reports), failing once
    /// it took no byte for the write timeout. Only called when a write found the socket full.
    /// - Parameters:
    ///   - call: The write's system call, for the error.
    ///   - since: When the socket last took a byte (or was found full without one).
    /// - Throws: ``SystemError`` with `ETIMEDOUT` naming the write timeout, or for `poll`.
    /// The corresponding C function is `poll`.
    func awaitRoom(_ call: String, since: ContinuousClock.Instant) throws(SystemError) {
        while true {
            var wait: Int32 = -1
            if writeTimeout > .zero {
                let left = ContinuousClock.now.duration(to: since + writeTimeout)
                if left <= .zero { throw writeError(call, ETIMEDOUT) }
                // Rounded up: never wake before the deadline only to wait another millisecond.
                wait = Int32(clamping: (left + .nanoseconds(999_999)).milliseconds)
            }
            var pfd = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            let n = poll(&pfd, 1, wait)
            if n > 0 { return }
            if n < 0 && errno != EINTR { throw SystemError(operation: "poll \(address)", errno: errno) }
        }
    }

    /// Sends `count` bytes of a file.
    /// - Parameters:
    ///   - file: The open file.
    ///   - offset: Where to start; advanced past what was sent.
    ///   - count: How many bytes.
    /// - Returns: The bytes sent; fewer than `count` when the file ends early.
    /// - Throws: ``SystemError`` for `sendfile`; `ETIMEDOUT` naming the write timeout when
    ///   no byte went out for that long.
    /// The corresponding C functions are `sendfile` and `poll`.
    func sendFile(_ file: Int32, offset: inout Int64, count: Int) throws(SystemError) -> Int {
        precondition(tls == nil, "sendfile cannot go through TLS")
        var sent = 0
        var off = off_t(offset)
        var stalled: ContinuousClock.Instant?
        defer { offset = Int64(off) }
        while sent < count {
            let n = retryingOnInterrupt { Glibc.sendfile(descriptor, file, &off, count - sent) }
            if n < 0 {
                guard errno == EAGAIN || errno == EWOULDBLOCK else { throw writeError("sendfile", errno) }
                let since = stalled ?? .now
                stalled = since
                try awaitRoom("sendfile", since: since)
                continue
            }
            if n == 0 { break }
            hasWritten = true
            stalled = nil
            sent += n
        }
        return sent
    }

    /// The error of a failed write. With a write timeout, `ETIMEDOUT` (from ``awaitRoom(_:since:)``,
    /// or the kernel's `TCP_USER_TIMEOUT`) means the peer took nothing for that long.
    /// - Parameters:
    ///   - call: The system call.
    ///   - code: Its `errno`.
    /// - Returns: The error, naming the address (and the timeout).
    func writeError(_ call: String, _ code: Int32) -> SystemError {
        if writeTimeout > .zero && code == ETIMEDOUT {
            return SystemError(
                operation: "\(call) to \(address) made no progress for \(writeTimeout.secondsText) (write timeout)",
                errno: ETIMEDOUT)
        }
        return SystemError(operation: "\(call) to \(address)", errno: code)
    }

    /// Reads the response to the request: status line, headers, and a body of
    /// `Content-Length` bytes (or up to the end of the connection). Bytes after it (the start
    /// of the next response, on a connection that carries several requests) are kept for the
    /// next call.
    /// - Parameter timeout: How long to wait for it.
    /// - Returns: The response; its `keepsConnection` says whether the connection may carry
    ///   another request.
    /// - Throws: ``SendError`` (``SendError/Code/network`` or ``SendError/Code/badResponse``).
    /// The corresponding C functions are `poll` and `recv`.
    func readResponse(timeout: Duration) throws(SendError) -> HTTPResponse {
        var data = received
        received = []
        var headEnd: Int?
        var response: HTTPResponse?
        var contentLength: Int?
        var chunked = false
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if headEnd == nil, let end = data.firstRange(of: [13, 10, 13, 10]) {
                guard let parsed = HTTPResponse.parseHead(data[..<end.lowerBound]) else {
                    throw SendError(code: .badResponse, message: "response from \(address) is not HTTP/1.x")
                }
                headEnd = end.upperBound
                response = parsed
                contentLength = parsed.header("Content-Length").flatMap { Int($0) }
                chunked = parsed.header("Transfer-Encoding")?.lowercased() == "chunked"
                if parsed.status == 204 || parsed.status == 304 { contentLength = 0 }
            }
            if var r = response, let headEnd {
                var end: Int?
                if let contentLength, data.count - headEnd >= contentLength {
                    r.body = Array(data[headEnd..<(headEnd + contentLength)])
                    end = headEnd + contentLength
                } else if chunked, let (body, length) = Self.dechunk(data[headEnd...]) {
                    r.body = body
                    end = headEnd + length
                }
                if let end {
                    received = Array(data[end...])
                    r.keepsConnection = Self.allowsAnotherRequest(r)
                    return r
                }
            }
            let left = ContinuousClock.now.duration(to: deadline)
            if left <= .zero {
                throw SendError(code: .network, message: "no response from \(address) within \(timeout)")
            }
            if tls?.hasPending != true {
                var pfd = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let p = retryingOnInterrupt { poll(&pfd, 1, Int32(max(1, left.milliseconds))) }
                if p == 0 { continue }
            }
            let n = try receive(into: &buffer)
            if n < 0 {
                if errno == EAGAIN { continue }
                let e = SystemError(operation: "recv from \(address)", errno: errno)
                if data.isEmpty, let refusal = tlsRefusal() { throw refusal }
                if let response, let headEnd {
                    var r = response
                    r.body = Array(data[headEnd...])
                    return r
                }
                throw SendError(code: .network, message: "reading the response: \(e)", cause: e)
            }
            if n == 0 {
                if data.isEmpty, let refusal = tlsRefusal() { throw refusal }
                guard let response, let headEnd else {
                    throw SendError(
                        code: .badResponse,
                        message: "connection to \(address) closed before a complete response (\(data.count) bytes)")
                }
                var r = response
                r.body = Array(data[headEnd...])
                return r
            }
            data += buffer[0..<n]
        }
    }

    /// Whether a response delimited by its own length leaves the connection open for
    /// another request: HTTP/1.1 without `Connection: close`.
    private static func allowsAnotherRequest(_ response: HTTPResponse) -> Bool {
        guard response.version == "HTTP/1.1" else { return false }
        let connection = response.header("Connection")?.lowercased() ?? ""
        return !connection.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == "close" }
    }

    /// Whether the connection can carry a new request now: no byte waits unread and the
    /// peer has not closed or reset it (checked without waiting).
    /// The corresponding C function is `poll`.
    var isIdleAndOpen: Bool {
        guard received.isEmpty, tls?.hasPending != true else { return false }
        var pfd = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return retryingOnInterrupt { poll(&pfd, 1, 0) } == 0
    }

    /// Decodes a complete chunked response body and says how many bytes it took, or returns
    /// nil while it is incomplete.
    private static func dechunk(_ raw: ArraySlice<UInt8>) -> ([UInt8], Int)? {
        var body: [UInt8] = []
        var pos = raw.startIndex
        while true {
            guard let eol = raw[pos...].firstRange(of: [13, 10]) else { return nil }
            let line = String(decoding: raw[pos..<eol.lowerBound], as: UTF8.self)
            guard let size = Int(line.split(separator: ";").first ?? "", radix: 16) else {
                return (body, raw.endIndex - raw.startIndex)
            }
            pos = eol.upperBound
            if size == 0 {
                // The trailer section ends with an empty line.
                if raw[pos...].starts(with: [13, 10]) { return (body, pos + 2 - raw.startIndex) }
                guard let end = raw[pos...].firstRange(of: [13, 10, 13, 10]) else { return nil }
                return (body, end.upperBound - raw.startIndex)
            }
            guard raw.endIndex - pos >= size + 2 else { return nil }
            body += raw[pos..<(pos + size)]
            pos += size + 2
        }
    }

    /// Shuts the connection down in both directions, unblocking a thread blocked on it; does
    /// nothing once the connection is closed. Any thread may call it.
    /// The corresponding C function is `shutdown`.
    func shutdown() {
        closed.withLock { closed in
            if !closed { _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR)) }
        }
    }

    /// Shuts the connection down in both directions and closes the socket, once. Under the
    /// lock that ``shutdown()`` takes, so no other thread shuts down the descriptor's number
    /// after it was closed (and perhaps reused).
    /// The corresponding C functions are `shutdown` and `close`.
    func close() {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            tls?.bye()
            _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
            socket.close()
        }
    }
}

extension Duration {
    /// Whole milliseconds, saturated to `Int32`.
    var milliseconds: Int {
        let (s, atto) = components
        let ms = s.multipliedReportingOverflow(by: 1000)
        if ms.overflow { return Int(Int32.max) }
        return min(Int(Int32.max), Int(ms.partialValue + atto / 1_000_000_000_000_000))
    }
}
