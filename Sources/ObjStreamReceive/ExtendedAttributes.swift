import CFileSystem
import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// The extended attributes of files (`user.*` names), by descriptor or by path.
enum ExtendedAttributes {
    /// Sets an attribute of an open file, creating or replacing it.
    ///
    /// The corresponding C function is `fsetxattr`.
    /// - Parameters:
    ///   - name: The attribute, like `user.objstream.version`.
    ///   - value: Its bytes (may be empty).
    ///   - fd: The open file.
    /// - Returns: 0, or the `errno` (`E2BIG`/`ENOSPC`/`ERANGE`: no room; `ENOTSUP`: not supported).
    static func set(_ name: String, _ value: UnsafeRawBufferPointer, on fd: Int32) -> Int32 {
        fsetxattr(fd, name, value.baseAddress ?? UnsafeRawPointer(bitPattern: 1), value.count, 0) == 0 ? 0 : errno
    }

    /// Sets an attribute of an open file from bytes.
    ///
    /// The corresponding C function is `fsetxattr`.
    /// - Parameters:
    ///   - name: The attribute.
    ///   - value: Its bytes.
    ///   - fd: The open file.
    /// - Returns: 0, or the `errno`.
    static func set(_ name: String, _ value: [UInt8], on fd: Int32) -> Int32 {
        value.withUnsafeBytes { set(name, $0, on: fd) }
    }

    /// Removes an attribute of an open file; one that is not there is no error.
    ///
    /// The corresponding C function is `fremovexattr`.
    /// - Parameters:
    ///   - name: The attribute.
    ///   - fd: The open file.
    /// - Returns: 0, or the `errno`.
    @discardableResult
    static func remove(_ name: String, from fd: Int32) -> Int32 {
        fremovexattr(fd, name) == 0 || errno == ENODATA ? 0 : errno
    }

    /// Reads an attribute of a file (symbolic links are not followed).
    ///
    /// The corresponding C function is `lgetxattr`.
    /// - Parameters:
    ///   - name: The attribute.
    ///   - path: The file.
    /// - Returns: Its bytes, or nil when the file has no such attribute.
    /// - Throws: ``Errno`` when the file cannot be read (`ENOENT`, `EACCES`, ...).
    static func get(_ name: String, of path: String) throws(Errno) -> [UInt8]? {
        while true {
            let size = lgetxattr(path, name, nil, 0)
            if size < 0 {
                if errno == ENODATA { return nil }
                throw Errno(code: errno)
            }
            var value = [UInt8](repeating: 0, count: size)
            let read = value.withUnsafeMutableBytes { lgetxattr(path, name, $0.baseAddress, $0.count) }
            if read >= 0 { return Array(value[..<read]) }
            // The attribute grew between the two calls: ask its size again.
            if errno == ENODATA { return nil }
            if errno != ERANGE { throw Errno(code: errno) }
        }
    }

    /// The names of a file's attributes (symbolic links are not followed).
    ///
    /// The corresponding C function is `llistxattr`.
    /// - Parameter path: The file.
    /// - Returns: The names, in the system's order.
    /// - Throws: ``Errno`` when the file cannot be read.
    static func names(of path: String) throws(Errno) -> [String] {
        while true {
            let size = llistxattr(path, nil, 0)
            guard size >= 0 else { throw Errno(code: errno) }
            if size == 0 { return [] }
            var list = [CChar](repeating: 0, count: size)
            let read = list.withUnsafeMutableBufferPointer { llistxattr(path, $0.baseAddress, $0.count) }
            if read >= 0 {
                return list[..<read].split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            }
            if errno != ERANGE { throw Errno(code: errno) }
        }
    }
}
