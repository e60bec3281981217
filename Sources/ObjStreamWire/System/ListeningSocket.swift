#if canImport(Glibc)
import Glibc
#endif

/// A bound, listening TCP socket: the one way a listener of objstream binds, so that
/// `objstream config check` (which binds each address once, on port 0) and the listeners
/// agree on what can be bound.
package enum ListeningSocket {
    /// Binds and listens.
    ///
    /// The socket is close-on-exec and non-blocking, with `SO_REUSEADDR`. An IPv6 socket
    /// bound to `::` is dual-stack (it takes IPv4 peers too, as `::ffff:a.b.c.d`), and so is
    /// one bound to an IPv4-mapped address (which only IPv4 peers reach); any other IPv6
    /// socket is IPv6 only, whatever `net.ipv6.bindv6only` says.
    ///
    /// The corresponding C functions are `socket`, `setsockopt`, `bind` and `listen`.
    /// - Parameters:
    ///   - address: Where to listen.
    ///   - backlog: The length of the queue of connections not yet accepted.
    /// - Returns: The socket; the caller owns it.
    /// - Throws: ``Errno`` of the call that failed (`EADDRINUSE`, `EADDRNOTAVAIL`, `EACCES`, ...).
    package static func open(_ address: SocketAddress, backlog: Int32 = 4096) throws(Errno) -> Int32 {
        let domain = address.family == .ipv4 ? AF_INET : AF_INET6
        let fd = socket(
            domain, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw Errno(code: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.family == .ipv6 {
            var v6only: Int32 = address.isUnspecified || address.isIPv4Mapped ? 0 : 1
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &v6only, socklen_t(MemoryLayout<Int32>.size))
        }
        let rc = address.withSockaddr { bind(fd, $0, $1) == 0 && listen(fd, backlog) == 0 }
        guard rc else {
            let failure = Errno(code: errno)
            close(fd)
            throw failure
        }
        return fd
    }

    /// Binds `address` on port 0 and closes the socket again: whether a listener could bind
    /// the address (a local address, a family the host has), leaving the port aside.
    /// - Parameter address: The address.
    /// - Throws: ``Errno`` of the call that failed.
    package static func probe(_ address: SocketAddress) throws(Errno) {
        let fd = try open(address.with(port: 0), backlog: 1)
        close(fd)
    }

    /// The address a socket is bound to (with the port the kernel chose for port 0).
    ///
    /// The corresponding C function is `getsockname`.
    /// - Parameter fd: A bound socket.
    /// - Returns: The address, or nil when the call fails.
    package static func boundAddress(_ fd: Int32) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> SocketAddress? in
                guard getsockname(fd, address, &length) == 0 else { return nil }
                return SocketAddress(address, length: length)
            }
        }
    }
}
