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

    public var description: String { "lz4: \(operation): \(name)" }
}
