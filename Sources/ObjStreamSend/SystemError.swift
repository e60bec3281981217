#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which one, and its `errno`.
public struct SystemError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The call that failed (`connect`, `sendmsg`, ...).
    public var operation: String
    /// The `errno` it set.
    public var errno: Int32

    /// Creates a system error.
    public init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    /// Whether a connection attempt that failed like this may be retried (refused, timed out, unreachable).
    public var isRetryableConnectError: Bool {
        [ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, ECONNRESET, EAGAIN, EADDRNOTAVAIL, ECONNABORTED]
            .contains(errno)
    }

    public var description: String { "\(operation): \(String(cString: strerror(errno)))" }
}
