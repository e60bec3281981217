import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// One line of libmicrohttpd's error log, formatted and escaped: its messages may quote what a
/// peer sent (a header line, a method), so they go through ``LogEscaping`` like all wire text.
enum LibMicroHTTPDLog {
    /// Formats a message of libmicrohttpd's log callback.
    /// - Parameters:
    ///   - format: The `printf` format.
    ///   - arguments: Its arguments.
    /// - Returns: The message without its trailing newline, escaped, at most 511 bytes before escaping.
    /// The corresponding C function is `vsnprintf`.
    static func line(_ format: UnsafePointer<CChar>, _ arguments: CVaListPointer) -> String {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = vsnprintf(&buffer, buffer.count, format, arguments)
        var line = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        while line.hasSuffix("\n") { line.removeLast() }
        return LogEscaping.escape(line)
    }
}
