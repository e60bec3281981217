#if canImport(Glibc)
import Glibc
#endif

/// Loopback ports for the benchmark's servers.
enum LoopbackPort {
    /// A port on 127.0.0.1 that was free a moment ago.
    /// The corresponding C functions are `bind` and `getsockname`.
    static func free() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: errno \(errno)") }
        defer { close(fd) }
        var addr = loopback(port: 0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                bind(fd, p, len) == 0 ? getsockname(fd, p, &len) : -1
            }
        }
        guard rc == 0 else { throw BenchError("bind 127.0.0.1:0: errno \(errno)") }
        return UInt16(bigEndian: addr.sin_port)
    }

    /// Polls until a connection to 127.0.0.1:`port` succeeds, for up to ten seconds.
    static func waitUntilListening(_ port: UInt16) -> Bool {
        for _ in 0..<500 {
            if let fd = connect(port) {
                close(fd)
                return true
            }
            usleep(20_000)
        }
        return false
    }

    /// Opens a TCP connection to 127.0.0.1:`port`.
    /// - Parameter port: The port.
    /// - Returns: The connected descriptor (close-on-exec), or nil with `errno` set.
    /// The corresponding C functions are `socket` and `connect`.
    static func connect(_ port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var addr = loopback(port: port)
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc == 0 { return fd }
        let failure = errno
        close(fd)
        errno = failure
        return nil
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        return addr
    }
}
