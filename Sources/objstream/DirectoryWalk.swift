import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The regular files `objstream send` sends: files as given, directories recursively.
enum DirectoryWalk {
    /// Every regular file under the paths, in order (a directory's files sorted by their relative path).
    /// - Parameter paths: Files and directories.
    /// - Returns: One item per file, named by its file name (a file argument) or its path relative to the
    ///   directory argument.
    /// - Throws: `DirectoryWalkError` for a missing path, a file argument that is not regular, or a
    ///   directory that cannot be listed.
    static func items(_ paths: [String]) throws(DirectoryWalkError) -> [SendItem] {
        var items: [SendItem] = []
        let fm = FileManager.default
        for path in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDir) else {
                throw DirectoryWalkError(code: .notFound, message: "\(path): no such file or directory")
            }
            if !isDir.boolValue {
                guard let file = item(path, name: (path as NSString).lastPathComponent) else {
                    throw DirectoryWalkError(code: .notRegularFile, message: "\(path): not a regular file")
                }
                items.append(file)
                continue
            }
            guard let walker = fm.enumerator(atPath: path) else {
                throw DirectoryWalkError(code: .unlistable, message: "\(path): cannot list the directory")
            }
            var found: [String] = []
            while let relative = walker.nextObject() as? String { found.append(relative) }
            for relative in found.sorted() {
                if let file = item(path + "/" + relative, name: relative) { items.append(file) }
            }
        }
        return items
    }

    /// The item of a regular file.
    /// - Parameters:
    ///   - path: The file.
    ///   - name: The object name.
    /// - Returns: The item with the file's size and mtime, or nil when `path` is not a regular file.
    /// The corresponding C function is `stat`.
    private static func item(_ path: String, name: String) -> SendItem? {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let atime = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        return SendItem(name: name, size: Int64(st.st_size), atime: atime, path: path)
    }
}
