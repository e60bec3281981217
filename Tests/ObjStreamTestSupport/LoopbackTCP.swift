import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// Close-on-exec TCP sockets on 127.0.0.1, for ``FaultProxy`` and the raw clients and
/// servers of tests.
public enum LoopbackTCP {
    /// Why a socket could not be made.
    public struct Failure: Error, CustomStringConvertible {
        /// The call that failed and its `errno`.
        public var description: String

        /// Describes a failed call.
        /// - Parameters:
        ///   - call: The call, with what it was called for.
        ///   - code: Its `errno`.
        public init(_ call: String, _ code: Int32 = errno) {
            description = "\(call): \(String(cString: strerror(code)))"
        }

        /// Describes a failure that no call's `errno` explains.
        /// - Parameter message: What went wrong.
        public init(message: String) { description = message }
    }

    /// `poll`'s "the peer shut down its writing" event (`POLLRDHUP`, not visible from Swift).
    public static let peerClosedEvent = Int16(0x2000)

    /// A listening socket on `127.0.0.1:0`.
    ///
    /// The corresponding C functions are `socket`, `bind`, `getsockname` and `listen`.
    /// - Returns: The socket and the port the kernel chose.
    /// - Throws: ``Failure`` when a call fails.
    public static func listen() throws(Failure) -> (fd: Int32, port: UInt16) {
        let fd = try socket()
        var addr = address(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                guard bind(fd, p, len) == 0, getsockname(fd, p, &len) == 0 else { return -1 }
                return Glibc.listen(fd, 128)
            }
        }
        guard rc == 0 else {
            let failure = Failure("bind/listen 127.0.0.1:0")
            close(fd)
            throw failure
        }
        return (fd, UInt16(bigEndian: addr.sin_port))
    }

    /// A socket connected to `127.0.0.1:port`, without Nagle's algorithm.
    ///
    /// The corresponding C functions are `socket` and `connect`.
    /// - Parameter port: The port.
    /// - Returns: The connected socket.
    /// - Throws: ``Failure`` when the connection fails.
    public static func connect(port: UInt16) throws(Failure) -> Int32 {
        let fd = try socket()
        var addr = address(port: port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let failure = Failure("connect 127.0.0.1:\(port)")
            close(fd)
            throw failure
        }
        noDelay(fd)
        return fd
    }

    /// Turns Nagle's algorithm off: a relay that holds back small writes until the last one is
    /// acknowledged adds a delayed-ACK wait (40 ms) to every request it carries.
    ///
    /// The corresponding C function is `setsockopt`.
    /// - Parameter fd: A TCP socket.
    public static func noDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Accepts a connection, close-on-exec, without Nagle's algorithm.
    ///
    /// The corresponding C functions are `accept` and `fcntl`.
    /// - Parameter fd: The listening socket.
    /// - Returns: The connected socket, or -1 (with `errno`).
    public static func accept(_ fd: Int32) -> Int32 {
        let client = retryingOnInterrupt { Glibc.accept(fd, nil, nil) }
        // accept4 is not visible from Swift; nothing here forks between the two calls.
        if client >= 0 {
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            noDelay(client)
        }
        return client
    }

    /// Makes reads and writes return `EAGAIN` instead of blocking.
    ///
    /// The corresponding C function is `fcntl`.
    /// - Parameter fd: The socket.
    public static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// Closes with an RST instead of a FIN (`SO_LINGER` on, 0 seconds).
    ///
    /// The corresponding C functions are `setsockopt` and `close`.
    /// - Parameter fd: The socket.
    public static func reset(_ fd: Int32) {
        var lin = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    /// Sends a FIN, reads away what the peer already sent (a close with unread bytes would
    /// send an RST after the FIN), and closes.
    ///
    /// The corresponding C functions are `shutdown`, `recv` and `close`.
    /// - Parameter fd: The socket.
    public static func closeCleanly(_ fd: Int32) {
        shutdown(fd, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 65_536)
        while scratch.withUnsafeMutableBytes({ recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }) > 0 {}
        close(fd)
    }

    /// What a `GET` answered.
    public struct Response: Sendable {
        /// The HTTP status.
        public var status: Int
        /// The body (everything after the head, up to the end of the connection).
        public var body: String
    }

    /// `GET path` on a new connection to `127.0.0.1:port` with `Connection: close`, read to
    /// the end: a scrape made in this process, so that a test that polls a gateway's metrics
    /// starts no process per poll (a child of a process that holds thousands of sockets is
    /// slow to start).
    ///
    /// The corresponding C functions are `send` and `recv`.
    /// - Parameters:
    ///   - port: The port.
    ///   - path: The path, like `/metrics`.
    ///   - timeout: How long a read may wait for the server; bounds a hang only.
    /// - Returns: The status and the body.
    /// - Throws: ``Failure`` when the connection fails or the answer is not HTTP.
    public static func get(port: UInt16, path: String, timeout: Int = 60) throws(Failure) -> Response {
        let fd = try connect(port: port)
        defer { close(fd) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure("send GET \(path) to 127.0.0.1:\(port)") }
            sent += n
        }
        var answer: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = scratch.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw Failure("recv GET \(path) from 127.0.0.1:\(port)") }
            if n == 0 { break }
            answer += scratch[0..<n]
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = answer.indices.first(where: { answer[$0...].starts(with: separator) }) else {
            throw Failure(message: "GET \(path) from 127.0.0.1:\(port): no response head in \(answer.count) bytes")
        }
        let statusLine = String(decoding: answer[..<headEnd], as: UTF8.self).prefix { $0 != "\r" }
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/1."), let status = Int(fields[1]) else {
            throw Failure(message: "GET \(path) from 127.0.0.1:\(port): status line '\(statusLine)'")
        }
        return Response(status: status, body: String(decoding: answer[(headEnd + 4)...], as: UTF8.self))
    }

    private static func socket() throws(Failure) -> Int32 {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        return fd
    }

    private static func address(port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        return addr
    }
}
