/// Why an endpoint could not be registered or unregistered (WIRE.md 5).
public struct EndpointError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case duplicate = "duplicate"
            case alreadyRemoved = "already_removed"
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// An endpoint of that name is already registered.
        public static let duplicate = Code(.duplicate)
        /// No endpoint of that name is registered (never was, or already removed).
        public static let alreadyRemoved = Code(.alreadyRemoved)

        public var description: String { wrapped.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// The endpoint name concerned.
    public var name: String
    /// What went wrong, in words.
    public var message: String

    /// Creates an endpoint error.
    public init(code: Code, name: String, message: String) {
        self.code = code
        self.name = name
        self.message = message
    }

    public var description: String { "\(code): endpoint '\(name)': \(message)" }
}
