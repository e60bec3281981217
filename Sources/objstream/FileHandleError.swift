#if canImport(Glibc)
import Glibc
#endif

/// Writing to standard error without Foundation.
enum FileHandleError {
    /// Writes `message` to standard error as is.
    static func write(_ message: String) {
        var m = message
        m.withUTF8 { _ = fputs_unlocked_safe($0) }
    }

    private static func fputs_unlocked_safe(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        Glibc.write(2, bytes.baseAddress, bytes.count)
    }
}
