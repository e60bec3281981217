import Foundation
import ObjStreamTestSupport
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// The upstream of the proxy's tests, on raw loopback sockets: records what each
/// connection receives and how it ended, and sends each connection a reply once it has
/// received a given number of bytes (then shuts down its writing).
final class CollectingUpstream: @unchecked Sendable {
    /// What one connection received.
    struct Connection: Sendable {
        var received: [UInt8] = []
        /// The connection ended: EOF, or an error.
        var ended = false
        /// The `errno` it ended with, 0 for EOF.
        var error: Int32 = 0
        /// The reply was sent (or its sending failed), and the writing shut down.
        var replyFinished = false
    }

    let port: UInt16
    private let listener: Int32
    private let reply: [UInt8]?
    private let replyAfter: Int
    private let lock = ConditionVariable()
    /// Only under `lock`.
    private var records: [Connection] = []
    private var closed = false

    /// Starts listening on `127.0.0.1:0`.
    /// - Parameters:
    ///   - reply: What to send each connection (nil: nothing, and its writing stays open).
    ///   - replyAfter: How many bytes a connection must have received before its reply goes.
    init(reply: [UInt8]? = nil, replyAfter: Int = 0) throws {
        (listener, port) = try LoopbackTCP.listen()
        self.reply = reply
        self.replyAfter = replyAfter
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    /// Every connection so far, in the order accepted.
    var connections: [Connection] { lock.withLock { records } }

    /// Stops accepting (open connections run on until their peer ends them).
    func close() {
        lock.withLock { closed = true }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private func acceptLoop() {
        while true {
            let fd = LoopbackTCP.accept(listener)
            if fd < 0 {
                if errno == ECONNABORTED { continue }
                Glibc.close(listener)
                return
            }
            let index: Int? = lock.withLock {
                if closed { return nil }
                records.append(Connection())
                return records.count - 1
            }
            guard let index else {
                Glibc.close(fd)
                continue
            }
            Thread.detachNewThread { [self] in serve(fd, index) }
        }
    }

    private func serve(_ fd: Int32, _ index: Int) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var writer = false
        var received = 0
        while true {
            if !writer, let reply, received >= replyAfter {
                writer = true
                Thread.detachNewThread { [self] in send(reply, fd, index) }
            }
            let n = retryingOnInterrupt { buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
            let code = errno
            lock.withLock {
                if n > 0 {
                    records[index].received += buffer[..<n]
                } else {
                    records[index].ended = true
                    records[index].error = n < 0 ? code : 0
                }
            }
            if n <= 0 { break }
            received += n
        }
        // The reply may still be on its way; the socket closes once it is gone.
        if writer { _ = lock.withLock { lock.wait(for: { records[index].replyFinished }, timeout: nil) } }
        Glibc.close(fd)
    }

    private func send(_ bytes: [UInt8], _ fd: Int32, _ index: Int) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            offset += n
        }
        shutdown(fd, Int32(SHUT_WR))
        lock.withLock {
            records[index].replyFinished = true
            lock.broadcast()
        }
    }
}
