#if canImport(Glibc)
import Glibc
#endif

/// The `errno` of a failed system call.
package struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    /// The `errno` value (`ENOENT`, `EACCES`, ...).
    package var code: Int32

    /// Wraps an `errno` value.
    /// - Parameter code: The value.
    package init(code: Int32) {
        self.code = code
    }

    /// What the value means, in words (`strerror`).
    package var description: String { String(cString: strerror(code)) }
}
