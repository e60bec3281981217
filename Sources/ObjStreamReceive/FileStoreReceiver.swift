import Synchronization
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// The receiver of a ``FileStoreEndpoint``: one open temporary file at a time,
/// written with POSIX `write`, renamed into place at the object's end.
final class FileStoreReceiver: ObjectReceiver {
    private let root: String
    private let session: SessionInfo
    private let series: ReceiveMetrics.EndpointSeries
    private let log: @Sendable (String) -> Void
    private var fd: Int32 = -1
    private var temporaryPath = ""
    private var finalPath = ""
    private var lastFolder = ""

    private static let sequence = Atomic<UInt64>(0)

    init(root: String, session: SessionInfo, series: ReceiveMetrics.EndpointSeries, log: @escaping @Sendable (String) -> Void) {
        self.root = root
        self.session = session
        self.series = series
        self.log = log
    }

    deinit { discard() }

    func receive(header: ObjectHeader) throws {
        discard()
        guard !header.isControl else { return }
        let segments: [String]
        switch StorePath.segments(for: header) {
        case .success(let s): segments = s
        case .failure(let refusal):
            series.refusedObjects.increment()
            log("objstream: \(session): refused object \(header.bucket) \(quoted(header.objectName)): \(refusal)")
            return
        }
        let folder = ([root] + segments.dropLast()).joined(separator: "/")
        if folder != lastFolder {
            try makeFolders(folder)
            lastFolder = folder
        }
        let n = Self.sequence.wrappingAdd(1, ordering: .relaxed).newValue
        finalPath = folder + "/" + segments.last!
        temporaryPath = folder + "/.\(segments.last!).objstream-\(getpid())-\(n).tmp"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 { throw failure("cannot create", temporaryPath) }
    }

    func receive(data: UnsafeRawBufferPointer) throws {
        guard fd >= 0, var p = data.baseAddress else { return }
        var left = data.count
        while left > 0 {
            let n = write(fd, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot write", temporaryPath)
            }
            p += n
            left -= n
        }
    }

    func endObject() throws {
        guard fd >= 0 else { return }
        let closed = close(fd)
        fd = -1
        if closed != 0 { throw failure("cannot close", temporaryPath) }
        if rename(temporaryPath, finalPath) != 0 {
            let error = failure("cannot rename to \(finalPath):", temporaryPath)
            unlink(temporaryPath)
            throw error
        }
        series.storedObjects.increment()
    }

    func end(error: BrokenStreamError?) { discard() }

    /// Closes and removes a temporary file whose object did not complete.
    private func discard() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(temporaryPath)
    }

    private func makeFolders(_ path: String) throws {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if part == "." { continue }
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw failure("cannot create folder", current) }
        }
    }

    private func failure(_ what: String, _ path: String) -> ReceiveError {
        let code = errno
        return ReceiveError(code: .store, message: "\(what) \(path): \(String(cString: strerror(code)))", errno: code)
    }

    private func quoted(_ s: String) -> String {
        "\"" + s.unicodeScalars.map { $0 == "\0" ? "\\0" : String($0) }.joined() + "\""
    }
}
