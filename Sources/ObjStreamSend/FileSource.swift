#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An object read from a file: sent with `sendfile(2)` on uncompressed streams
/// without PDUs, read with `pread(2)` otherwise.
public final class FileSource: ReopenableSource {
    /// The file's path.
    public let path: String
    /// The file's size when it was opened.
    public let size: Int64
    private let descriptor: Int32
    private let start: Int64
    private let position: Mutex<Int64>
    private let closed = Atomic(false)

    /// Opens a file.
    /// - Parameters:
    ///   - path: The file to send.
    ///   - offset: Where the object's bytes start.
    /// - Throws: ``SendError`` with ``SendError/Code/sourceFailed`` naming the path and errno.
    /// The corresponding C function is `open`.
    public init(path: String, offset: Int64 = 0) throws(SendError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SendError(code: .sourceFailed, message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw SendError(code: .sourceFailed, message: "cannot stat \(path): \(message)")
        }
        self.path = path
        self.descriptor = fd
        self.start = offset
        self.size = Int64(st.st_size) - offset
        self.position = Mutex(offset)
    }

    public var fileRegion: FileRegion? { FileRegion(descriptor: descriptor, offset: start) }

    /// Reads the next bytes of the file.
    /// The corresponding C function is `pread`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try position.withLock { pos in
            while true {
                let n = pread(descriptor, buffer.baseAddress, buffer.count, off_t(pos))
                if n >= 0 {
                    pos += Int64(n)
                    return n
                }
                if errno == EINTR { continue }
                throw SendError(
                    code: .sourceFailed, message: "cannot read \(path) at \(pos): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Closes the file, once.
    /// The corresponding C function is `close`.
    public func close() {
        if !closed.exchange(true, ordering: .acquiringAndReleasing) { Glibc.close(descriptor) }
    }

    public func reopen() throws -> any ObjectSource { try FileSource(path: path, offset: start) }

    deinit { close() }
}
