/// Why a file's checksum could not be computed.
public struct ChecksumError: Error, Sendable, CustomStringConvertible {
    /// What kind of error this is. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case unreadable
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The file could not be opened or read.
        public static let unreadable = Code(.unreadable)

        public var description: String { wrapped.rawValue }
    }

    /// What kind of error this is.
    public var code: Code
    /// A human-readable explanation naming the path, the call and the `errno`.
    public var message: String
    /// The file concerned.
    public var path: String
    /// The `errno` of the failed call (`ENOENT`, `EACCES`, ...).
    public var errorNumber: Int32

    /// Creates a checksum error.
    /// - Parameters:
    ///   - code: What kind of error this is.
    ///   - message: A human-readable explanation.
    ///   - path: The file concerned.
    ///   - errorNumber: The `errno` of the failed call.
    public init(code: Code, message: String, path: String, errorNumber: Int32) {
        self.code = code
        self.message = message
        self.path = path
        self.errorNumber = errorNumber
    }

    public var description: String { "\(code): \(message)" }
}
