import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// The regular files `objstream send` sends: files as given, directories recursively.
///
/// Linux file names are bytes: the walk reads directories with `readdir(3)` and keeps every
/// name's exact bytes, so that a file whose name is not UTF-8 is opened by its real path and
/// sent under exactly those bytes (``SendItem/nameBytes``).
enum DirectoryWalk {
    /// Every regular file under the paths, in order (a directory's files sorted by the bytes of their
    /// relative path).
    /// - Parameter paths: Files and directories.
    /// - Returns: One item per file, named by its file name (a file argument) or its path relative to the
    ///   directory argument. Symbolic links to files count as files; links to directories are not followed.
    /// - Throws: `DirectoryWalkError` for a missing path, a file argument that is not regular, or a
    ///   directory (the argument or one below it) that cannot be listed.
    static func items(_ paths: [String]) throws(DirectoryWalkError) -> [SendItem] {
        var items: [SendItem] = []
        for path in paths {
            let pathBytes = Array(path.utf8)
            var st = stat()
            guard stat(path, &st) == 0 else {
                throw DirectoryWalkError(code: .notFound, message: "\(path): no such file or directory")
            }
            if (st.st_mode & S_IFMT) != S_IFDIR {
                let name = pathBytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).last ?? []
                guard let file = item(pathBytes, name: Array(name)) else {
                    throw DirectoryWalkError(code: .notRegularFile, message: "\(path): not a regular file")
                }
                items.append(file)
                continue
            }
            var found: [[UInt8]] = []
            try collect(pathBytes, relative: [], into: &found)
            for relative in found.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                if let file = item(pathBytes + [UInt8(ascii: "/")] + relative, name: relative) { items.append(file) }
            }
        }
        return items
    }

    /// Collects the relative paths of every entry below a directory that is not itself a directory.
    /// - Parameters:
    ///   - root: The directory argument's path.
    ///   - relative: The directory to list, relative to `root` (empty: `root` itself).
    ///   - found: Where the entries' relative paths go.
    /// - Throws: `DirectoryWalkError` with code `unlistable` when a directory cannot be listed.
    /// The corresponding C functions are `opendir`, `readdir` and `closedir`.
    private static func collect(_ root: [UInt8], relative: [UInt8], into found: inout [[UInt8]]) throws(DirectoryWalkError) {
        let directory = relative.isEmpty ? root : root + [UInt8(ascii: "/")] + relative
        guard let stream = withCPath(directory, { opendir($0) }) else {
            throw DirectoryWalkError(
                code: .unlistable, message: "\(String(decoding: directory, as: UTF8.self)): cannot list the directory")
        }
        defer { closedir(stream) }
        var subdirectories: [[UInt8]] = []
        while let entry = readdir(stream) {
            let name = withDirectoryEntryName(entry) { Array($0) }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            let path = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
            var isDirectory = Int32(entry.pointee.d_type) == DT_DIR
            if Int32(entry.pointee.d_type) == DT_UNKNOWN {
                // Some file systems do not fill in d_type: ask, without following a link.
                var st = stat()
                isDirectory = withCPath(directory + [UInt8(ascii: "/")] + name, { lstat($0, &st) }) == 0
                    && (st.st_mode & S_IFMT) == S_IFDIR
            }
            if isDirectory { subdirectories.append(path) } else { found.append(path) }
        }
        for subdirectory in subdirectories { try collect(root, relative: subdirectory, into: &found) }
    }

    /// The item of a regular file.
    /// - Parameters:
    ///   - path: The file's path bytes.
    ///   - name: The object name's bytes.
    /// - Returns: The item with the file's size and mtime, or nil when `path` is not a regular file.
    /// The corresponding C function is `stat`.
    private static func item(_ path: [UInt8], name: [UInt8]) -> SendItem? {
        var st = stat()
        guard withCPath(path, { stat($0, &st) }) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let atime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        let text = String(decoding: name, as: UTF8.self)
        return SendItem(
            name: text, size: Int64(st.st_size), atime: atime, path: path,
            nameBytes: text.utf8.elementsEqual(name) ? nil : name)
    }

    /// Calls `body` with a path's bytes as a NUL-terminated C string.
    /// - Parameters:
    ///   - path: The path's bytes.
    ///   - body: The call that takes the C string.
    /// - Returns: What `body` returns.
    private static func withCPath<R>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
        (path + [0]).withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }
}
