import CLZ4

/// An error reported by liblz4's frame API.
public struct LZ4Error: Error, Sendable, CustomStringConvertible {
    /// The `LZ4F_*` error code.
    public var code: Int
    /// What objstream was doing.
    public var operation: String
    /// liblz4's name for the error.
    public var name: String

    /// Creates an error from an `LZ4F_*` return code.
    /// - Parameters:
    ///   - code: The value an `LZ4F_*` call returned.
    ///   - operation: What was being done.
    /// The corresponding C function is `LZ4F_getErrorName`.
    public init(code: Int, operation: String) {
        self.code = code
        self.operation = operation
        self.name = String(cString: LZ4F_getErrorName(code))
    }

    /// The block size a refused frame announced; nil for liblz4's own errors.
    public var refusedBlockSize: Int?

    /// Whether the receiver refused the frame for its block size (``LZ4FrameDecoder``'s
    /// `admitFrame`), rather than liblz4 finding it corrupt.
    public var isBlockSizeRefusal: Bool { refusedBlockSize != nil }

    /// The error of a frame refused for its block size.
    /// - Parameters:
    ///   - announced: The block size its descriptor announced.
    ///   - offset: The compressed offset of the frame.
    /// - Returns: The error.
    static func blockSizeRefusal(announced: Int, at offset: Int64) -> LZ4Error {
        var error = LZ4Error(code: 0, operation: "frame header at compressed offset \(offset)")
        error.name = "frame announces \(announced >> 10) KiB blocks, more than this receiver takes"
        error.refusedBlockSize = announced
        return error
    }

    public var description: String { "lz4: \(operation): \(name)" }
}
