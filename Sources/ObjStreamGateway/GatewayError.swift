/// Why a ``Gateway`` could not start.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case badAddress = "bad_address"
            case bindFailed = "bind_failed"
            case startFailed = "start_failed"
            case alreadyStarted = "already_started"
            case badReplayState = "bad_replay_state"
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The listen host is not an IPv4 or IPv6 address and does not resolve as a name.
        public static let badAddress = Code(.badAddress)
        /// The listen address cannot be bound (in use, not an address of this host, no permission).
        public static let bindFailed = Code(.bindFailed)
        /// libmicrohttpd could not start on the bound socket.
        public static let startFailed = Code(.startFailed)
        /// ``Gateway/start()`` was called twice.
        public static let alreadyStarted = Code(.alreadyStarted)
        /// The replay state file (``GatewayOptions/replayStatePath``) cannot be read or parsed.
        public static let badReplayState = Code(.badReplayState)

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
