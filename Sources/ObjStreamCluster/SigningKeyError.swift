/// Why a node's signing key could not be made, read or written.
public struct SigningKeyError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case unreadable
            case malformed
            case exposed
            case unwritable
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The key file cannot be read.
        public static let unreadable = Code(.unreadable)
        /// The key file does not hold a key in the form `objstream keygen` writes.
        public static let malformed = Code(.malformed)
        /// The key file may be read or written by other users.
        public static let exposed = Code(.exposed)
        /// The key files cannot be written.
        public static let unwritable = Code(.unwritable)

        public var description: String { wrapped.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// What went wrong, naming the file.
    public var message: String
    /// The underlying error, if any.
    public var cause: (any Error & Sendable)?

    /// Creates a key error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: What went wrong, naming the file.
    ///   - cause: The underlying error.
    public init(code: Code, message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }
}
