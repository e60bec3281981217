#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An open file descriptor, closed exactly once: by ``close()``, or else when the last
/// reference goes away.
package final class FileDescriptor: Sendable {
    /// The descriptor, for system calls; not valid after ``close()``.
    package let rawValue: Int32
    private let closed = Atomic(false)

    /// Takes over a descriptor that is open.
    /// - Parameter rawValue: The descriptor (not negative).
    package init(adopting rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Opens a file, retrying on `EINTR`.
    ///
    /// The corresponding C function is `open`.
    /// - Parameters:
    ///   - path: The file's path.
    ///   - flags: `O_RDONLY`, `O_WRONLY | O_CREAT | ...`; `O_CLOEXEC` is added.
    ///   - mode: The permissions of a created file.
    /// - Throws: ``Errno`` when the file cannot be opened.
    package convenience init(opening path: String, flags: Int32, mode: mode_t = 0) throws(Errno) {
        let fd = retryingOnInterrupt { open(path, flags | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw Errno(code: errno) }
        self.init(adopting: fd)
    }

    /// Opens a file whose path is given as bytes (Linux paths are bytes, not necessarily UTF-8), retrying on `EINTR`.
    ///
    /// The corresponding C function is `open`.
    /// - Parameters:
    ///   - path: The path's bytes, without a terminating NUL.
    ///   - flags: `O_RDONLY`, `O_WRONLY | O_CREAT | ...`; `O_CLOEXEC` is added.
    ///   - mode: The permissions of a created file.
    /// - Throws: ``Errno`` when the file cannot be opened.
    package convenience init(opening path: [UInt8], flags: Int32, mode: mode_t = 0) throws(Errno) {
        let fd = (path + [0]).withUnsafeBufferPointer { cPath in
            cPath.withMemoryRebound(to: CChar.self) { p in retryingOnInterrupt { open(p.baseAddress!, flags | O_CLOEXEC, mode) } }
        }
        guard fd >= 0 else { throw Errno(code: errno) }
        self.init(adopting: fd)
    }

    /// Closes the descriptor; later calls do nothing.
    ///
    /// The corresponding C function is `close`.
    /// - Returns: 0, or the `errno` of the one call that closed it.
    @discardableResult
    package func close() -> Int32 {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return 0 }
        return Glibc.close(rawValue) == 0 ? 0 : errno
    }

    /// Reads up to the end of the file (files in `/proc` report size 0, so their size is not asked).
    ///
    /// The corresponding C function is `read`.
    /// - Parameter chunkSize: How many bytes one `read` asks for.
    /// - Returns: Every byte up to the end.
    /// - Throws: ``Errno`` when a read fails.
    package func readToEnd(chunkSize: Int = 65_536) throws(Errno) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = retryingOnInterrupt { chunk.withUnsafeMutableBytes { read(rawValue, $0.baseAddress, $0.count) } }
            guard n >= 0 else { throw Errno(code: errno) }
            if n == 0 { return bytes }
            bytes += chunk[..<n]
        }
    }

    /// Writes every byte, resuming after partial writes.
    ///
    /// The corresponding C function is `write`.
    /// - Parameter bytes: The bytes.
    /// - Throws: ``Errno`` when a write fails.
    package func writeAll(_ bytes: UnsafeRawBufferPointer) throws(Errno) {
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = retryingOnInterrupt { write(rawValue, p, left) }
            guard n >= 0 else { throw Errno(code: errno) }
            p += n
            left -= n
        }
    }

    deinit { close() }
}
