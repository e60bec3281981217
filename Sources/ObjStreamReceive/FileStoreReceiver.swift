import CFileSystem
import ObjStreamChecksum
import ObjStreamWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The receiver of a ``FileStoreEndpoint``: one open temporary file at a time, written with
/// POSIX `write` while its checksum is computed, given its attributes, renamed into place at
/// the object's end.
///
/// Per session it keeps one checksummer per checksum type, one scratch buffer for attribute
/// values and the bucket folder last used; per object it opens one descriptor (a plain `Int32`).
final class FileStoreReceiver: ObjectReceiver {
    private let endpoint: FileStoreEndpoint
    private let session: SessionInfo
    private let series: ReceiveMetrics.EndpointSeries
    private let store: StoreMetrics

    /// The temporary file of the object being received, or -1.
    private var fd: Int32 = -1
    /// The current object's header and name bytes.
    private var header = ObjectHeader()
    private var name: [UInt8] = []
    /// Whether the current object goes under its shortened name.
    private var shortened = false
    private var temporaryPath = ""
    private var finalPath = ""
    /// The folder of the temporary and the final file.
    private var folder = ""
    /// The checksum being computed, when the header has one of a known type.
    private var checksummer: Checksummer?
    /// The header's checksum type when it cannot be verified (unknown type, no value).
    private var unverifiedType: String?

    /// The bucket of the last object, and its folder's path.
    private var lastBucket: Bucket?
    private var bucketFolder = ""
    /// Checksummers made so far, one per type: reused for every object of the session.
    private var checksummers: [ChecksumType: Checksummer] = [:]
    /// Reused for attribute values.
    private var scratch: [UInt8] = []
    /// Folders whose entries changed (new folders' parents, renamed-into folders), for `store_sync: object`.
    private var foldersToSync: [String] = []
    /// Whether anything was stored since the last ``commit()``.
    private var wroteSinceCommit = false

    private static let sequence = Atomic<UInt64>(0)
    private static let processID = getpid()

    init(endpoint: FileStoreEndpoint, session: SessionInfo) {
        self.endpoint = endpoint
        self.session = session
        self.series = endpoint.metrics.endpoint(session.trname)
        self.store = endpoint.metrics.store
        scratch.reserveCapacity(1024)
    }

    deinit { discard() }

    // MARK: ObjectReceiver

    func receive(header: ObjectHeader) throws {
        discard()
        guard !header.isControl else { return }
        self.header = header
        name = nameBytes(header)
        // Most streams carry one bucket: its folder is worked out once (a header with bytes that
        // are not UTF-8 every time, as its `Bucket` does not tell them apart).
        if header.bucket != lastBucket || !header.undecodedStrings.isEmpty {
            lastBucket = nil
            let bucket = storedBucket(header)
            switch StorePath.folders(of: bucket) {
            case .success(let folders):
                bucketFolder = endpoint.directory + "/" + folders.joined(separator: "/")
            case .failure(let refusal):
                throw refuse(.badName, refusal.reason)
            }
            // Room below it for a sidecar's temporary and final names.
            if bucketFolder.utf8.count + 1 + 66 + StorePath.temporaryNameLimit >= StorePath.pathMax {
                throw refuse(.badName, "the bucket's folder path is \(bucketFolder.utf8.count) bytes, too long")
            }
            lastBucket = header.undecodedStrings.isEmpty ? header.bucket : nil
        }
        if let refusal = StorePath.refusal(ofObjectName: name) { throw refuse(.badName, refusal.reason) }
        shortened = !StorePath.fitsAsIs(name, under: bucketFolder.utf8.count)
        try openTemporary()

        checksummer = nil
        unverifiedType = nil
        let type = header.attributes.checksumType
        if !ChecksumType.isNone(type) {
            if let known = ChecksumType(name: type), !header.attributes.checksumValue.isEmpty {
                let made = checksummers[known] ?? Checksummer(known)
                checksummers[known] = made
                made.reset()
                checksummer = made
            } else {
                unverifiedType = type
            }
        }
    }

    func receive(data: UnsafeRawBufferPointer) throws {
        guard fd >= 0, var p = data.baseAddress else { return }
        var left = data.count
        while left > 0 {
            let n = retryingOnInterrupt { write(fd, p, left) }
            guard n >= 0 else {
                let code = errno
                discard()
                throw failure("cannot write", temporaryPath, code)
            }
            p += n
            left -= n
        }
        checksummer?.update(data)
    }

    func endObject() throws {
        guard fd >= 0 else { return }
        if let checksummer {
            let got = checksummer.finalize()
            let expected = header.attributes.checksumValue
            // Hex digits in either case (the computed value is lowercase).
            guard got.utf8.elementsEqual(expected.utf8.lazy.map { (0x41...0x46).contains($0) ? $0 | 0x20 : $0 }) else {
                discard()
                throw refuse(
                    .checksumMismatch,
                    "\(checksummer.type) checksum mismatch: expected \(NameEscaping.quoted(header.bytes(of: .checksumValue))), got \(got)")
            }
        }
        try writeAttributes(on: fd)
        try syncFile(fd)
        let descriptor = fd
        fd = -1
        if close(descriptor) != 0 {
            let code = errno
            unlink(temporaryPath)
            throw failure("cannot close", temporaryPath, code)
        }
        if rename(temporaryPath, finalPath) != 0 {
            let code = errno
            if !shortened && [EISDIR, ENOTDIR, ENOTEMPTY, EEXIST, ENAMETOOLONG].contains(code) {
                // A folder of that name holds other objects (`a/b` stored, now `a`): the shortened name.
                try renameShortened()
            } else if shortened && (code == EISDIR || code == ENOTEMPTY) {
                unlink(temporaryPath)
                throw refuse(.nameClash, "\(finalPath) is a folder")
            } else {
                unlink(temporaryPath)
                throw failure("cannot rename to \(finalPath):", temporaryPath, code)
            }
        }
        if endpoint.sync == .object {
            foldersToSync.append(shortened ? bucketFolder : folder)
            try syncFolders()
        }
        if let checksummer {
            store.verified(checksummer.type).increment()
        } else if let unverifiedType {
            store.unverified(unverifiedType).increment()
        }
        if shortened { store.shortened.increment() }
        series.storedObjects.increment()
        endpoint.storeHealth.succeeded()
        wroteSinceCommit = true
    }

    func commit() throws {
        guard endpoint.sync == .request, wroteSinceCommit else { return }
        wroteSinceCommit = false
        let started = ContinuousClock.now
        let root = retryingOnInterrupt { open(endpoint.directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        guard root >= 0 else { throw commitFailure("cannot open", errno) }
        defer { close(root) }
        guard syncfs(root) == 0 else { throw commitFailure("cannot syncfs", errno) }
        store.syncDuration.observe((ContinuousClock.now - started).seconds)
    }

    func end(error: BrokenStreamError?) {
        discard()
        endpoint.log.flush()
    }

    // MARK: Placing the object

    /// Opens the temporary file in the object's folder: its own path's folder, or the bucket's
    /// folder for a shortened name (also when the own path turns out to clash).
    private func openTemporary() throws {
        if !shortened {
            let nameText = String(decoding: name, as: UTF8.self)
            finalPath = bucketFolder + "/" + nameText
            if let slash = name.lastIndex(of: UInt8(ascii: "/")) {
                folder = bucketFolder + "/" + String(decoding: name[..<slash], as: UTF8.self)
            } else {
                folder = bucketFolder
            }
            let code = createTemporary()
            if code == 0 { return }
            guard [ENOTDIR, EEXIST, ENAMETOOLONG].contains(code) else {
                throw failure("cannot create", temporaryPath, code)
            }
            // A file where a folder of the name is needed (`a` stored, now `a/b`): the shortened name.
            shortened = true
        }
        finalPath = bucketFolder + "/" + StorePath.shortenedName(of: name)
        folder = bucketFolder
        let code = createTemporary()
        if code == 0 { return }
        if code == ENOTDIR || code == EEXIST {
            throw refuse(.nameClash, "a file is where the bucket's folder \(bucketFolder) or its parents must be")
        }
        throw failure("cannot create", temporaryPath, code)
    }

    /// Creates a temporary file in ``folder``, making the folder and its parents when missing.
    /// - Returns: 0, or the `errno` of the failure.
    private func createTemporary() -> Int32 {
        var madeFolders = false
        while true {
            let n = Self.sequence.wrappingAdd(1, ordering: .relaxed).newValue
            temporaryPath = folder + "/" + StorePath.reservedPrefix + "\(Self.processID)-\(n).tmp"
            let opened = retryingOnInterrupt { open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
            if opened >= 0 {
                fd = opened
                return 0
            }
            let code = errno
            switch code {
            case EEXIST:
                // A temporary file left by an earlier process with this pid: take the next number.
                continue
            case ENOENT where !madeFolders:
                madeFolders = true
                let made = makeFolders(folder)
                if made != 0 { return made }
            default:
                return code
            }
        }
    }

    /// Creates a folder and its missing parents below the store's root.
    /// - Returns: 0, or the `errno` of the first `mkdir` that failed for another reason than `EEXIST`.
    private func makeFolders(_ path: String) -> Int32 {
        var current = endpoint.directory
        let below = path.utf8.dropFirst(endpoint.directory.utf8.count + 1)
        for part in below.split(separator: UInt8(ascii: "/")) {
            let parent = current
            current += "/" + String(decoding: part, as: UTF8.self)
            if mkdir(current, 0o755) == 0 {
                if endpoint.sync == .object { foldersToSync.append(parent) }
            } else if errno != EEXIST {
                return errno
            }
        }
        return 0
    }

    /// Moves the closed temporary file to the shortened name after its own path turned out to be
    /// a folder: gives it the name attribute first.
    private func renameShortened() throws {
        shortened = true
        let shortenedPath = bucketFolder + "/" + StorePath.shortenedName(of: name)
        let reopened = retryingOnInterrupt { open(temporaryPath, O_WRONLY | O_CLOEXEC) }
        guard reopened >= 0 else {
            let code = errno
            unlink(temporaryPath)
            throw failure("cannot reopen", temporaryPath, code)
        }
        fd = reopened
        try writeAttributes(on: reopened)
        try syncFile(reopened)
        fd = -1
        if close(reopened) != 0 {
            let code = errno
            unlink(temporaryPath)
            throw failure("cannot close", temporaryPath, code)
        }
        finalPath = shortenedPath
        if rename(temporaryPath, finalPath) != 0 {
            let code = errno
            unlink(temporaryPath)
            if code == EISDIR || code == ENOTDIR || code == ENOTEMPTY {
                throw refuse(.nameClash, "\(finalPath) is a folder")
            }
            throw failure("cannot rename to \(finalPath):", temporaryPath, code)
        }
        if endpoint.sync == .object { foldersToSync.append(folder) }
    }

    // MARK: Attributes

    /// Sets the object's attributes on its temporary file, or writes them to a sidecar when they
    /// do not fit the filesystem's attribute space.
    private func writeAttributes(on fd: Int32) throws {
        var noRoom = attributesSize > endpoint.attributeCapacity
        if !noRoom {
            let code = setAttributes(on: fd)
            if code == E2BIG || code == ENOSPC || code == ERANGE {
                noRoom = true
            } else if code != 0 {
                discard()
                throw failure("cannot set the extended attributes of", temporaryPath, code)
            }
        }
        guard noRoom else { return }
        for attribute in StoreAttributes.attributeNames { ExtendedAttributes.remove(attribute, from: fd) }
        try writeSidecar()
        let code = ExtendedAttributes.set(StoreAttributes.sidecarAttribute, Array(sidecarName.utf8), on: fd)
        if code != 0 {
            discard()
            throw failure("cannot set \(StoreAttributes.sidecarAttribute) on", temporaryPath, code)
        }
        store.sidecars.increment()
    }

    /// The bytes of every attribute value together (the `String`s' UTF-8: repaired bytes are no shorter).
    private var attributesSize: Int {
        let a = header.attributes
        var size = (shortened ? name.count : 0) + a.checksumType.utf8.count + a.checksumValue.utf8.count + a.version.utf8.count + 20
        for entry in a.customMetadata { size += 4 + entry.key.utf8.count + entry.value.utf8.count }
        return size
    }

    /// Appends the exact bytes of a header string to the scratch buffer: its `String`'s UTF-8 in the
    /// usual case, the kept wire bytes when they are not UTF-8.
    private func appendBytes(of field: HeaderStringField, _ string: String) {
        if header.undecodedStrings.isEmpty {
            scratch.append(contentsOf: string.utf8)
        } else {
            scratch.append(contentsOf: header.bytes(of: field))
        }
    }

    /// Sets every attribute that is not empty, in the order of ``StoreAttributes/attributeNames``.
    /// - Returns: 0, or the `errno` of the first that failed.
    private func setAttributes(on fd: Int32) -> Int32 {
        let a = header.attributes
        var code: Int32 = 0
        if shortened {
            code = ExtendedAttributes.set(StoreAttributes.nameAttribute, name, on: fd)
            if code != 0 { return code }
        }
        for (attribute, field, value) in [
            (StoreAttributes.checksumTypeAttribute, HeaderStringField.checksumType, a.checksumType),
            (StoreAttributes.checksumValueAttribute, .checksumValue, a.checksumValue),
            (StoreAttributes.versionAttribute, .version, a.version),
        ] where !value.isEmpty {
            scratch.removeAll(keepingCapacity: true)
            appendBytes(of: field, value)
            code = ExtendedAttributes.set(attribute, scratch, on: fd)
            if code != 0 { return code }
        }
        if a.atime != 0 {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: String(a.atime).utf8)
            code = ExtendedAttributes.set(StoreAttributes.atimeAttribute, scratch, on: fd)
            if code != 0 { return code }
        }
        if !a.customMetadata.isEmpty {
            scratch.removeAll(keepingCapacity: true)
            if header.undecodedStrings.isEmpty {
                for entry in a.customMetadata {
                    StoreAttributes.appendCustom(key: entry.key.utf8, value: entry.value.utf8, to: &scratch)
                }
            } else {
                for i in a.customMetadata.indices {
                    StoreAttributes.appendCustom(
                        key: header.bytes(of: .metadataKey(i)), value: header.bytes(of: .metadataValue(i)), to: &scratch)
                }
            }
            code = ExtendedAttributes.set(StoreAttributes.customAttribute, scratch, on: fd)
        }
        return code
    }

    /// The current object's attributes as a value (for a sidecar).
    private var attributes: StoreAttributes {
        let a = header.attributes
        return StoreAttributes(
            name: shortened ? name : nil, checksumType: header.bytes(of: .checksumType),
            checksumValue: header.bytes(of: .checksumValue), version: header.bytes(of: .version), atime: a.atime,
            customMetadata: a.customMetadata.indices.map {
                StoreAttributes.Entry(key: header.bytes(of: .metadataKey($0)), value: header.bytes(of: .metadataValue($0)))
            })
    }

    /// The sidecar's file name in the bucket's folder.
    private var sidecarName: String { StorePath.shortenedName(of: name) + StorePath.sidecarSuffix }

    /// Writes the attributes to the sidecar: a temporary file in the bucket's folder, renamed.
    private func writeSidecar() throws {
        let n = Self.sequence.wrappingAdd(1, ordering: .relaxed).newValue
        let temporary = bucketFolder + "/" + StorePath.reservedPrefix + "\(Self.processID)-\(n).tmp"
        let sidecar = retryingOnInterrupt { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644) }
        guard sidecar >= 0 else {
            let code = errno
            discard()
            throw failure("cannot create", temporary, code)
        }
        let bytes = attributes.sidecar
        var code: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            var p = buffer.baseAddress!
            var left = buffer.count
            while left > 0 {
                let n = retryingOnInterrupt { write(sidecar, p, left) }
                if n < 0 {
                    code = errno
                    return
                }
                p += n
                left -= n
            }
        }
        if code == 0, endpoint.sync == .object, fsync(sidecar) != 0 { code = errno }
        if close(sidecar) != 0 && code == 0 { code = errno }
        if code == 0, rename(temporary, bucketFolder + "/" + sidecarName) != 0 { code = errno }
        if code != 0 {
            unlink(temporary)
            discard()
            throw failure("cannot write the sidecar", bucketFolder + "/" + sidecarName, code)
        }
        if endpoint.sync == .object { foldersToSync.append(bucketFolder) }
    }

    // MARK: Syncing

    /// `fsync`s the file under `store_sync: object`.
    private func syncFile(_ descriptor: Int32) throws {
        guard endpoint.sync == .object else { return }
        let started = ContinuousClock.now
        if fsync(descriptor) != 0 {
            let code = errno
            discard()
            throw failure("cannot fsync", temporaryPath, code)
        }
        store.syncDuration.observe((ContinuousClock.now - started).seconds)
    }

    /// `fsync`s every folder whose entries changed, under `store_sync: object`.
    private func syncFolders() throws {
        defer { foldersToSync.removeAll(keepingCapacity: true) }
        var synced: [String] = []
        for path in foldersToSync where !synced.contains(path) {
            synced.append(path)
            let started = ContinuousClock.now
            let descriptor = retryingOnInterrupt { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            guard descriptor >= 0 else { throw failure("cannot open folder", path, errno) }
            let failed = fsync(descriptor) != 0 ? errno : 0
            close(descriptor)
            if failed != 0 { throw failure("cannot fsync folder", path, failed) }
            store.syncDuration.observe((ContinuousClock.now - started).seconds)
        }
    }

    // MARK: Failures

    /// Closes and removes a temporary file whose object did not complete.
    private func discard() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(temporaryPath)
    }

    /// The error of a failed system call on the current object: the stream ends when the
    /// filesystem is full, else the object is refused (`permission` or `io_error`).
    private func failure(_ what: String, _ path: String, _ code: Int32) -> any Error {
        let message = "\(what) \(path): \(Errno(code: code))"
        endpoint.storeHealth.failed(message)
        switch code {
        case ENOSPC, EDQUOT:
            store.refused("store_full").increment()
            endpoint.log(
                "objstream: \(LogEscaping.field(session.description)): store full at object \(described): "
                    + LogEscaping.controls(message))
            return ReceiveError(code: .storeFull, message: "\(described): \(message)", errno: code)
        case EACCES, EPERM, EROFS:
            return refuse(.permission, message)
        default:
            return refuse(.io, message)
        }
    }

    /// Refuses the current object: counts and logs it.
    private func refuse(_ code: ObjectRefusal.Code, _ reason: String) -> ObjectRefusal {
        store.refused(code.description).increment()
        endpoint.log(
            "objstream: \(LogEscaping.field(session.description)): refused object \(described): "
                + "\(LogEscaping.controls(reason)) (\(code))")
        return ObjectRefusal(code: code, message: "\(described): \(reason)")
    }

    /// A failed `store_sync: request`: the stream fails (out of space as ``ReceiveError/Code/storeFull``).
    private func commitFailure(_ what: String, _ code: Int32) -> ReceiveError {
        let message = "\(what) \(endpoint.directory): \(Errno(code: code))"
        endpoint.storeHealth.failed(message)
        endpoint.log("objstream: \(LogEscaping.field(session.description)): store sync failed: \(LogEscaping.controls(message))")
        return ReceiveError(code: code == ENOSPC || code == EDQUOT ? .storeFull : .store, message: message, errno: code)
    }

    /// The current object's bucket and quoted name, for messages.
    private var described: String { "\(storedBucket(header)) \(NameEscaping.quoted(name))" }

    // MARK: Header bytes

    /// The object name's exact bytes.
    private func nameBytes(_ header: ObjectHeader) -> [UInt8] {
        header.bytes(of: .objectName)
    }

    /// The bucket's exact bytes.
    private func storedBucket(_ header: ObjectHeader) -> StoredBucket {
        StoredBucket(
            provider: header.bytes(of: .provider), namespaceUUID: header.bytes(of: .namespaceUUID),
            namespaceName: header.bytes(of: .namespaceName), name: header.bytes(of: .bucketName))
    }
}
