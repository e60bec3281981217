import ObjStreamWire

/// Messages to standard error, without Foundation.
enum StandardError {
    /// Writes `message` to standard error as is; a failed write is dropped (there is nowhere to report it).
    /// - Parameter message: The text, with its own newline.
    static func write(_ message: String) {
        var text = message
        text.withUTF8 { try? FileDescriptor.standardError.writeAll(UnsafeRawBufferPointer($0)) }
    }
}
