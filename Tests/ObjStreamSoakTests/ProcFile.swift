#if canImport(Glibc)
import Glibc
#endif

/// Whole files of `/proc`, read with `open`/`read` to the end: they report size 0, and
/// large ones (`/proc/net/tcp`) come in pages.
enum ProcFile {
    /// Reads a file.
    /// - Parameter path: The path.
    /// - Returns: Its text, nil when it cannot be read.
    static func text(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                out += chunk[..<n]
            } else if n == 0 {
                return String(decoding: out, as: UTF8.self)
            } else if errno != EINTR {
                return nil
            }
        }
    }
}
