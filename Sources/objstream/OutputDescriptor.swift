#if canImport(Glibc)
import Glibc
#endif

/// A file descriptor the tool writes to: standard output or standard error.
struct OutputDescriptor: Sendable {
    /// The descriptor number.
    let fd: Int32

    /// File descriptor 1.
    static let standardOutput = OutputDescriptor(fd: 1)
    /// File descriptor 2.
    static let standardError = OutputDescriptor(fd: 2)

    /// Writes every byte, resuming after partial writes and `EINTR`.
    /// - Parameter bytes: What to write.
    /// - Returns: nil when everything was written, else the `errno` of the failed write.
    /// The corresponding C function is `write`.
    func writeAll(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += n
        }
        return nil
    }
}
