#if canImport(Glibc)
import Glibc
#endif

/// Calls `body` with the name of a directory entry that `readdir` returned, read in place.
///
/// An entry is only as long as its name (`d_reclen`): copying the `dirent`, or its 256-byte
/// `d_name` field, reads past it, and past the end of the mapped buffer for the last entry
/// of a full one (a crash seen when `/metrics` listed `/proc/self/fd` with 2,000 descriptors
/// open). The name stays valid until the next `readdir` of the same stream.
///
/// The corresponding C function is `strlen`.
/// - Parameters:
///   - entry: What `readdir` returned.
///   - body: Takes the name's bytes, without the terminating NUL.
/// - Returns: What `body` returns.
package func withDirectoryEntryName<Result>(
    _ entry: UnsafeMutablePointer<dirent>, _ body: (UnsafeRawBufferPointer) throws -> Result
) rethrows -> Result {
    let name = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \.d_name)!
    return try body(UnsafeRawBufferPointer(start: name, count: strlen(name.assumingMemoryBound(to: CChar.self))))
}
