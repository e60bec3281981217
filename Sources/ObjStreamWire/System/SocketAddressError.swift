/// Why a listen host did not become a ``SocketAddress``.
public struct SocketAddressError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case badAddress = "bad_address"
            case unresolved
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// An IPv4 or IPv6 literal that is malformed.
        public static let badAddress = Code(.badAddress)
        /// A host name that does not resolve (now).
        public static let unresolved = Code(.unresolved)

        public var description: String { wrapped.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// What went wrong, in words, naming the host.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: What went wrong, in words.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
