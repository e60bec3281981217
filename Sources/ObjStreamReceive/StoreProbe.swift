import ObjStreamWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The check of a store folder before any object is written to it: it exists or can be
/// created, files can be made in it, and they keep extended attributes.
enum StoreProbe {
    /// The largest attribute value the probe tries.
    static let largestAttribute = 65_536
    private static let sequence = Atomic<UInt64>(0)

    /// Checks a store folder and measures how large one extended attribute of a new file may be.
    ///
    /// Creates the folder (and its parents) when missing, then a probe file in it
    /// (`.objstream-probe-<pid>-<n>`), sets `user.objstream.probe` on it with values of growing
    /// size, and removes the file.
    /// - Parameter directory: The store's root folder.
    /// - Returns: The largest value size (bytes) that one `user.*` attribute of a fresh file took.
    /// - Throws: ``ReceiveError`` ``ReceiveError/Code/storeUnusable`` naming the folder and what failed.
    static func check(_ directory: String) throws(ReceiveError) -> Int {
        try makeFolders(directory)
        var status = stat()
        guard stat(directory, &status) == 0 else { throw unusable(directory, "cannot be read", errno) }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { throw unusable(directory, "is not a folder", ENOTDIR) }
        let n = sequence.wrappingAdd(1, ordering: .relaxed).newValue
        let probe = directory + "/" + StorePath.reservedPrefix + "probe-\(getpid())-\(n)"
        let fd = retryingOnInterrupt { open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
        guard fd >= 0 else { throw unusable(directory, "is not writable: cannot create \(probe)", errno) }
        defer {
            close(fd)
            unlink(probe)
        }
        let value = [UInt8](repeating: 0x61, count: largestAttribute)
        let first = ExtendedAttributes.set("user.objstream.probe", Array(value.prefix(1)), on: fd)
        if first == ENOTSUP || first == EOPNOTSUPP {
            throw unusable(
                directory, "does not support extended attributes (setxattr user.objstream.probe on \(probe))", first)
        }
        guard first == 0 else { throw unusable(directory, "cannot keep extended attributes (setxattr user.objstream.probe on \(probe))", first) }
        // The largest value that fits: binary search between what was taken and what was not.
        var taken = 1
        var refused = largestAttribute + 1
        while refused - taken > 1 {
            let size = (taken + refused) / 2
            let result = value.withUnsafeBytes { ExtendedAttributes.set("user.objstream.probe", UnsafeRawBufferPointer(rebasing: $0.prefix(size)), on: fd) }
            if result == 0 { taken = size } else { refused = size }
        }
        return taken
    }

    /// Creates a folder and its missing parents.
    private static func makeFolders(_ path: String) throws(ReceiveError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if part == "." { continue }
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw unusable(path, "cannot be created (mkdir \(current))", errno)
            }
        }
    }

    private static func unusable(_ directory: String, _ what: String, _ code: Int32) -> ReceiveError {
        ReceiveError(
            code: .storeUnusable, message: "store folder \(directory) \(what): \(Errno(code: code))", errno: code)
    }
}
