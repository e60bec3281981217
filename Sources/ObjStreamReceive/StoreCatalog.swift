import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// Reads a file store back: every object with its bucket and exact name, or one object by
/// bucket and name (the layout of ``StorePath``).
public enum StoreCatalog {
    /// Every object of a store, sorted by ``StoredObject/listing`` (byte order).
    ///
    /// Temporary files (``StorePath/reservedPrefix``) and sidecars are left out; a folder or a
    /// shortened file the store would not have written is reported as a problem, not listed.
    /// - Parameter root: The store's root folder.
    /// - Returns: The objects, and one line per problem (a folder that cannot be read, a name
    ///   that does not decode, a shortened file without its name).
    public static func objects(in root: String) -> (objects: [StoredObject], problems: [String]) {
        var objects: [StoredObject] = []
        var problems: [String] = []
        for provider in entries(of: root, problems: &problems) where provider.isFolder && !provider.isReserved {
            guard let providerBytes = StorePath.part(ofFolderName: provider.text) else {
                problems.append("\(root)/\(provider.text): not a provider folder of the store")
                continue
            }
            let providerPath = root + "/" + provider.text
            for namespace in entries(of: providerPath, problems: &problems) where namespace.isFolder {
                guard let (uuid, name) = StorePath.namespace(ofFolderName: namespace.text) else {
                    problems.append("\(providerPath)/\(namespace.text): not a namespace folder of the store")
                    continue
                }
                let namespacePath = providerPath + "/" + namespace.text
                for bucket in entries(of: namespacePath, problems: &problems) where bucket.isFolder {
                    guard let bucketBytes = StorePath.part(ofFolderName: bucket.text) else {
                        problems.append("\(namespacePath)/\(bucket.text): not a bucket folder of the store")
                        continue
                    }
                    let stored = StoredBucket(provider: providerBytes, namespaceUUID: uuid, namespaceName: name, name: bucketBytes)
                    let folder = namespacePath + "/" + bucket.text
                    walk(folder, prefix: [], bucket: stored, bucketFolder: folder, into: &objects, problems: &problems)
                }
            }
        }
        let sorted = objects.map { ($0.listing, $0) }.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return (sorted.map(\.1), problems)
    }

    /// Finds one object by bucket and exact name: at its own path, or under its shortened name.
    /// - Parameters:
    ///   - root: The store's root folder.
    ///   - bucket: The object's bucket.
    ///   - name: The object's exact name.
    /// - Returns: The object, or nil when the store does not hold it.
    public static func object(in root: String, bucket: StoredBucket, name: [UInt8]) -> StoredObject? {
        guard case .success(let folders) = StorePath.folders(of: bucket), StorePath.refusal(ofObjectName: name) == nil
        else { return nil }
        let bucketFolder = root + "/" + folders.joined(separator: "/")
        if StorePath.fitsAsIs(name, under: bucketFolder.utf8.count) {
            let path = bucketFolder + "/" + String(decoding: name, as: UTF8.self)
            if isRegularFile(path) { return StoredObject(bucket: bucket, name: name, path: path, bucketFolder: bucketFolder) }
        }
        let path = bucketFolder + "/" + StorePath.shortenedName(of: name)
        let object = StoredObject(bucket: bucket, name: name, path: path, bucketFolder: bucketFolder)
        guard isRegularFile(path), (try? object.attributes().name) == name else { return nil }
        return object
    }

    /// One entry of a folder.
    private struct Entry {
        var bytes: [UInt8]
        var isFolder: Bool
        var isFile: Bool
        var text: String { String(decoding: bytes, as: UTF8.self) }
        var isReserved: Bool { bytes.starts(with: StorePath.reservedPrefix.utf8) }
    }

    /// Walks a bucket's folder, or a folder below it.
    private static func walk(
        _ folder: String, prefix: [UInt8], bucket: StoredBucket, bucketFolder: String,
        into objects: inout [StoredObject], problems: inout [String]
    ) {
        for entry in entries(of: folder, problems: &problems) where !entry.isReserved {
            let path = folder + "/" + entry.text
            if prefix.isEmpty && StorePath.isShortened(entry.bytes) {
                // A shortened object (66 bytes), or a sidecar: only the objects are listed.
                guard entry.bytes.count == 66, entry.isFile else { continue }
                var object = StoredObject(bucket: bucket, name: [], path: path, bucketFolder: bucketFolder)
                do {
                    guard let name = try object.attributes().name else {
                        problems.append("\(path): a shortened file without \(StoreAttributes.nameAttribute)")
                        continue
                    }
                    object.name = name
                    objects.append(object)
                } catch {
                    problems.append(error.message)
                }
                continue
            }
            if entry.isFolder {
                walk(path, prefix: prefix + entry.bytes + [UInt8(ascii: "/")], bucket: bucket, bucketFolder: bucketFolder,
                     into: &objects, problems: &problems)
            } else if entry.isFile {
                objects.append(StoredObject(bucket: bucket, name: prefix + entry.bytes, path: path, bucketFolder: bucketFolder))
            }
        }
    }

    /// The entries of a folder, `.` and `..` left out; symbolic links are neither files nor folders.
    ///
    /// The corresponding C functions are `opendir`, `readdir` and `lstat`.
    private static func entries(of folder: String, problems: inout [String]) -> [Entry] {
        guard let directory = opendir(folder) else {
            problems.append("\(folder): cannot list: \(Errno(code: errno))")
            return []
        }
        defer { closedir(directory) }
        var out: [Entry] = []
        while let item = readdir(directory) {
            let bytes = withDirectoryEntryName(item) { Array($0) }
            if bytes == [0x2e] || bytes == [0x2e, 0x2e] { continue }
            var type = item.pointee.d_type
            if type == UInt8(DT_UNKNOWN) {
                var status = stat()
                let path = folder + "/" + String(decoding: bytes, as: UTF8.self)
                if lstat(path, &status) == 0 {
                    switch status.st_mode & S_IFMT {
                    case S_IFDIR: type = UInt8(DT_DIR)
                    case S_IFREG: type = UInt8(DT_REG)
                    default: break
                    }
                }
            }
            out.append(Entry(bytes: bytes, isFolder: type == UInt8(DT_DIR), isFile: type == UInt8(DT_REG)))
        }
        return out
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }
}
