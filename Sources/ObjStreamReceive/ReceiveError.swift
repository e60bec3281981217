/// An error of a receive adapter (object over the collector's cap, file store I/O).
public struct ReceiveError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case objectTooLarge = "object_too_large"
            case store = "store"
            case storeFull = "store_full"
            case storeUnusable = "store_unusable"
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// An object is larger than the collector's size cap.
        public static let objectTooLarge = Code(.objectTooLarge)
        /// The file store could not create, write or rename a file.
        public static let store = Code(.store)
        /// The store's filesystem is out of space (`ENOSPC`, `EDQUOT`): every later object
        /// would fail too, so the stream ends (`507`).
        public static let storeFull = Code(.storeFull)
        /// The store's folder cannot be used: it cannot be created, is not writable, or its
        /// filesystem does not keep extended attributes (`user.*`). Found when the endpoint is made.
        public static let storeUnusable = Code(.storeUnusable)

        public var description: String { wrapped.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// What went wrong, in words (names the object or path).
    public var message: String
    /// The `errno` of a failed system call, else 0.
    public var errno: Int32

    /// Creates a receive error.
    public init(code: Code, message: String, errno: Int32 = 0) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String { "\(code): \(message)" }
}
