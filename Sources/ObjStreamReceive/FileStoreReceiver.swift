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
    private let log: RateLimitedLog
    /// The temporary file of the object being received.
    private var file: FileDescriptor?
    private var temporaryPath = ""
    private var finalPath = ""
    private var lastFolder = ""

    private static let sequence = Atomic<UInt64>(0)

    init(root: String, session: SessionInfo, series: ReceiveMetrics.EndpointSeries, log: RateLimitedLog) {
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
            log(
                "objstream: \(LogEscaping.field(session.description)): refused object "
                    + "\(LogEscaping.field(header.bucket.description)) \(LogEscaping.quoted(header.objectName)): "
                    + LogEscaping.escape("\(refusal)"))
            throw ObjectRefusal(code: .badName, message: "\(header.bucket) \(quoted(header.objectName)): \(refusal)")
        }
        let folder = ([root] + segments.dropLast()).joined(separator: "/")
        if folder != lastFolder {
            try makeFolders(folder)
            lastFolder = folder
        }
        let n = Self.sequence.wrappingAdd(1, ordering: .relaxed).newValue
        finalPath = folder + "/" + segments.last!
        temporaryPath = folder + "/.\(segments.last!).objstream-\(getpid())-\(n).tmp"
        do {
            file = try FileDescriptor(opening: temporaryPath, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644)
        } catch {
            throw failure("cannot create", temporaryPath, error)
        }
    }

    func receive(data: UnsafeRawBufferPointer) throws {
        guard let file else { return }
        do {
            try file.writeAll(data)
        } catch {
            throw failure("cannot write", temporaryPath, error)
        }
    }

    func endObject() throws {
        guard let file else { return }
        self.file = nil
        let closeFailure = file.close()
        if closeFailure != 0 { throw failure("cannot close", temporaryPath, Errno(code: closeFailure)) }
        if rename(temporaryPath, finalPath) != 0 {
            let error = failure("cannot rename to \(finalPath):", temporaryPath)
            unlink(temporaryPath)
            throw error
        }
        series.storedObjects.increment()
    }

    func end(error: BrokenStreamError?) {
        discard()
        log.flush()
    }

    /// Closes and removes a temporary file whose object did not complete.
    private func discard() {
        guard let file else { return }
        file.close()
        self.file = nil
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

    private func failure(_ what: String, _ path: String, _ error: Errno = Errno(code: errno)) -> ReceiveError {
        ReceiveError(code: .store, message: "\(what) \(path): \(error)", errno: error.code)
    }

    private func quoted(_ s: String) -> String {
        "\"" + s.unicodeScalars.map { $0 == "\0" ? "\\0" : String($0) }.joined() + "\""
    }
}
