import Foundation
import ObjStreamTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP/1.1 client on a blocking loopback socket, for requests curl cannot make:
/// crafted bodies, chunks held back, resets mid-body, huge chunked streams.
final class RawHTTPClient {
    /// What the server answered.
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    struct ClientError: Error, CustomStringConvertible {
        var description: String
    }

    let fd: Int32

    /// Connects to `127.0.0.1:port`.
    /// - Parameters:
    ///   - port: The gateway's port.
    ///   - source: The loopback address to connect from (`127.0.0.2`: another peer to the
    ///     gateway's per-address limit); nil lets the kernel pick.
    init(port: UInt16, source: String? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket: errno \(errno)") }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                close(fd)
                throw ClientError(description: "bind \(source): errno \(errno)")
            }
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            close(fd)
            throw ClientError(description: "connect to port \(port): errno \(errno)")
        }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// The request head of a stream `PUT`.
    static func streamHead(
        _ trname: String, chunked: Bool = true, contentLength: Int = 0, sessionID: String? = "101",
        sender: String = "t-sender", compressed: Bool = false
    ) -> [UInt8] {
        var head = "PUT /v1/objstream/\(trname) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let sessionID { head += "Ais-Session-Id: \(sessionID)\r\n" }
        if !sender.isEmpty { head += "Ais-Caller-Id: \(sender)\r\n" }
        if compressed { head += "Ais-Compress: lz4\r\n" }
        head += chunked ? "Transfer-Encoding: chunked\r\n\r\n" : "Content-Length: \(contentLength)\r\n\r\n"
        return Array(head.utf8)
    }

    /// Writes all of `bytes`.
    func send(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try send($0) }
    }

    /// Writes all of `bytes`.
    func send(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                throw ClientError(description: "send: errno \(errno)")
            }
            offset += n
        }
    }

    /// Writes one HTTP chunk (size line, bytes, CRLF) with one `writev`-like gather.
    func sendChunk(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        try send(Array((String(bytes.count, radix: 16) + "\r\n").utf8))
        try send(bytes)
        try send([13, 10])
    }

    /// Writes one HTTP chunk.
    func sendChunk(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try sendChunk($0) }
    }

    /// Writes the terminating zero-length chunk.
    func endChunked() throws { try send(Array("0\r\n\r\n".utf8)) }

    /// Whether the peer has closed the connection or reset it, waiting up to `timeout` for it.
    ///
    /// The corresponding C function is `poll`.
    /// - Parameter timeout: How long to wait; zero looks once.
    /// - Returns: Whether the connection is gone (an end of stream, a reset or an error).
    func isClosedByPeer(within timeout: Duration = .zero) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN) | LoopbackTCP.peerClosedEvent, revents: 0)
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let ready = retryingPoll(&entry, milliseconds)
        guard ready > 0 else { return false }
        if entry.revents & (Int16(POLLHUP) | Int16(POLLERR) | LoopbackTCP.peerClosedEvent) != 0 { return true }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) <= 0
    }

    private func retryingPoll(_ entry: inout pollfd, _ milliseconds: Int32) -> Int32 {
        while true {
            let n = poll(&entry, 1, milliseconds)
            if n >= 0 || errno != EINTR { return n }
        }
    }

    /// Aborts the connection with a TCP reset (`SO_LINGER` 0, then close).
    func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Reads one response (head, then `Content-Length` bytes of body).
    func readResponse() throws -> Response {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        func fill() throws {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { throw ClientError(description: "connection ended after \(buffer.count) response bytes (errno \(errno))") }
            buffer += chunk[0..<n]
        }
        var headEnd: Int?
        while headEnd == nil {
            try fill()
            if buffer.count >= 4 {
                headEnd = (0...(buffer.count - 4)).first { buffer[$0] == 13 && buffer[$0 + 1] == 10 && buffer[$0 + 2] == 13 && buffer[$0 + 3] == 10 }
            }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw ClientError(description: "bad status line '\(head[0])'")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd! + 4
        while buffer.count < bodyStart + length { try fill() }
        let body = String(decoding: buffer[bodyStart..<(bodyStart + length)], as: UTF8.self)
        return Response(status: status, headers: headers, body: body)
    }
}
