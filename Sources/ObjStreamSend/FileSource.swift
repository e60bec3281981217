import ObjStreamWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// An object read from a file: on uncompressed streams without PDUs or TLS, mapped and gathered
/// into `sendmsg` when it is large and in the page cache, else sent with `sendfile(2)`;
/// read with `pread(2)` otherwise.
public final class FileSource: ReopenableSource {
    /// The size from which a file is announced to the kernel as read sequentially (`POSIX_FADV_SEQUENTIAL`).
    public static let sequentialHintSize: Int64 = 1 << 20
    /// The file's path (for a path that is not UTF-8, its repaired decoding: for messages).
    public let path: String
    /// The file's size when it was opened.
    public let size: Int64
    /// The path's exact bytes.
    private let pathBytes: [UInt8]
    private let file: FileDescriptor
    private let start: Int64
    private let position: Mutex<Int64>

    /// Opens a file.
    /// - Parameters:
    ///   - path: The file to send.
    ///   - offset: Where the object's bytes start.
    /// - Throws: ``SendError`` with ``SendError/Code/sourceFailed`` naming the path and errno.
    public convenience init(path: String, offset: Int64 = 0) throws(SendError) {
        try self.init(path: Array(path.utf8), offset: offset)
    }

    /// Opens a file whose path is given as bytes (Linux paths need not be UTF-8).
    /// - Parameters:
    ///   - path: The path's exact bytes, without a terminating NUL.
    ///   - offset: Where the object's bytes start.
    /// - Throws: ``SendError`` with ``SendError/Code/sourceFailed`` naming the path (repaired) and errno.
    ///
    /// A file of at least ``sequentialHintSize`` is announced as read sequentially, which
    /// doubles the kernel's read-ahead for it when it is not in the page cache.
    /// The corresponding C functions are `open`, `fstat` and `posix_fadvise`.
    public init(path: [UInt8], offset: Int64 = 0) throws(SendError) {
        let name = String(decoding: path, as: UTF8.self)
        let file: FileDescriptor
        do {
            file = try FileDescriptor(opening: path, flags: O_RDONLY)
        } catch {
            throw SendError(code: .sourceFailed, message: "cannot open \(name): \(error)")
        }
        var st = stat()
        guard fstat(file.rawValue, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            file.close()
            throw SendError(code: .sourceFailed, message: "cannot stat \(name): \(reason)")
        }
        self.path = name
        self.pathBytes = path
        self.file = file
        self.start = offset
        self.size = Int64(st.st_size) - offset
        self.position = Mutex(offset)
        if size >= Self.sequentialHintSize {
            // Advice only: a failure changes nothing but the read-ahead.
            _ = posix_fadvise(file.rawValue, off_t(offset), 0, POSIX_FADV_SEQUENTIAL)
        }
    }

    public var fileRegion: FileRegion? { FileRegion(descriptor: file.rawValue, offset: start) }

    /// Reads the next bytes of the file.
    /// The corresponding C function is `pread`.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try position.withLock { pos in
            let n = retryingOnInterrupt { pread(file.rawValue, buffer.baseAddress, buffer.count, off_t(pos)) }
            guard n >= 0 else {
                throw SendError(
                    code: .sourceFailed, message: "cannot read \(path) at \(pos): \(String(cString: strerror(errno)))")
            }
            pos += Int64(n)
            return n
        }
    }

    /// Closes the file, once.
    /// The corresponding C function is `close`.
    public func close() { file.close() }

    public func reopen() throws -> any ObjectSource { try FileSource(path: pathBytes, offset: start) }
}
