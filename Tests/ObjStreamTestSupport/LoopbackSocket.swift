import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A TCP socket on 127.0.0.1, bound to a port of the kernel's choosing and held by the test
/// for as long as it lives, so that no other test can take the port: the one loopback-port
/// helper of the tests.
///
/// - ``Mode/refusing``: bound but not listening; every connection to it is refused.
/// - ``Mode/holding``: listening but never accepting; connections succeed, and a peer's
///   writes fill the socket buffers and then block, so a sender is provably mid-stream
///   for as long as the test wants.
public final class LoopbackSocket: Sendable {
    /// What the socket does with connections.
    public enum Mode: Sendable {
        /// Bound, not listening: connections are refused.
        case refusing
        /// Listening, never accepting: connections are held.
        case holding
    }

    /// Why the socket could not be made.
    public struct Failure: Error, CustomStringConvertible {
        /// The call that failed and its `errno`.
        public var description: String
    }

    /// The port.
    public let port: UInt16
    private let fd: Int32
    private let closed = Atomic(false)

    /// Binds a socket to `127.0.0.1:0`.
    ///
    /// The corresponding C functions are `socket`, `bind`, `getsockname` and `listen`.
    /// - Parameter mode: Refusing or holding connections.
    /// - Throws: ``Failure`` when a call fails.
    public init(_ mode: Mode) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                guard bind(fd, p, len) == 0, getsockname(fd, p, &len) == 0 else { return -1 }
                return mode == .holding ? listen(fd, 64) : 0
            }
        }
        guard rc == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw Failure(description: "bind/listen 127.0.0.1:0: \(message)")
        }
        self.fd = fd
        self.port = UInt16(bigEndian: addr.sin_port)
    }

    /// Closes the socket, once: the port is free again (for a receiver that the test starts on it).
    ///
    /// The corresponding C function is `close`.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        Glibc.close(fd)
    }

    deinit { close() }
}
