/// Why a ``Gateway`` could not start.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case badAddress = "bad_address"
            case startFailed = "start_failed"
            case alreadyStarted = "already_started"
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The listen host is not an IPv4 address.
        public static let badAddress = Code(.badAddress)
        /// libmicrohttpd could not start (port in use, no permission, ...).
        public static let startFailed = Code(.startFailed)
        /// ``Gateway/start()`` was called twice.
        public static let alreadyStarted = Code(.alreadyStarted)

        public var description: String { wrapped.rawValue }
    }

    /// What went wrong.
    public var code: Code
    /// What went wrong, in words.
    public var message: String

    /// Creates a gateway error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
