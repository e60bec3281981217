import ObjStreamTestSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The client of the proxy's tests: a blocking loopback socket that remembers the first
/// error it saw, sending or receiving. One thread may send while another receives.
final class ProxyClient: Sendable {
    /// How a read ended.
    enum End: Equatable {
        case eof
        case error(Int32)
    }

    let fd: Int32
    private let closed = Atomic(false)
    private let error = Mutex<Int32?>(nil)

    /// The first `errno` of a failed `send` or `recv`.
    var firstError: Int32? { error.withLock { $0 } }

    /// Connects to `127.0.0.1:port`; a send or receive blocked for 60 s fails (a hang bound only).
    init(port: UInt16) throws {
        fd = try LoopbackTCP.connect(port: port)
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close() }

    /// Writes all of `bytes`.
    /// - Returns: Whether every byte was written.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                remember(errno)
                return false
            }
            offset += n
        }
        return true
    }

    /// Sends a FIN: the client has nothing more to send.
    func shutdownWriting() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads until EOF or an error.
    /// - Returns: The bytes, and how the reading ended.
    func receiveToEnd() -> (bytes: [UInt8], end: End) {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                bytes += buffer[..<n]
            } else if n == 0 {
                return (bytes, .eof)
            } else if errno != EINTR {
                let code = errno
                remember(code)
                return (bytes, .error(code))
            }
        }
    }

    /// Whether nothing can be read right now: no byte, no EOF, no error.
    func nothingToRead() -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }

    /// Closes the socket; later calls do nothing.
    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Glibc.close(fd)
    }

    private func remember(_ code: Int32) {
        error.withLock { $0 = $0 ?? code }
    }
}
