/// An error of the sending side: a refused object, a broken connection, a failed
/// request, or a terminated stream.
public struct SendError: Error, Sendable, CustomStringConvertible {
    /// What kind of error this is. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case reservedOpcode = "reserved_opcode"
            case invalidHeader = "invalid_header"
            case headerTooLarge = "header_too_large"
            case unsizedWithoutPDUs = "unsized_without_pdus"
            case missingSource = "missing_source"
            case terminated = "stream_terminated"
            case shortRead = "short_read"
            case sourceFailed = "source_failed"
            case connectFailed = "connect_failed"
            case network
            case httpStatus = "http_status"
            case badResponse = "bad_response"
            case stopped
            case invalidURL = "invalid_url"
            case invalidOptions = "invalid_options"
            case compression
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The object's opcode is reserved for the transport (`>= 65519`).
        public static let reservedOpcode = Code(.reservedOpcode)
        /// The object's header cannot be encoded (a string too long, an empty metadata key, ...).
        public static let invalidHeader = Code(.invalidHeader)
        /// The object's encoded header exceeds the stream's maximum header size.
        public static let headerTooLarge = Code(.headerTooLarge)
        /// An object of unknown size (-1) was sent on a stream without PDUs.
        public static let unsizedWithoutPDUs = Code(.unsizedWithoutPDUs)
        /// An object with data has no source to read it from.
        public static let missingSource = Code(.missingSource)
        /// The stream was already terminated when the object was sent.
        public static let terminated = Code(.terminated)
        /// The object's source yielded fewer bytes than its size ("read shorter than size").
        public static let shortRead = Code(.shortRead)
        /// The object's source threw while being read.
        public static let sourceFailed = Code(.sourceFailed)
        /// No connection could be made within the retry window.
        public static let connectFailed = Code(.connectFailed)
        /// Writing to or reading from the connection failed.
        public static let network = Code(.network)
        /// The receiver answered the request with a status other than 2xx.
        public static let httpStatus = Code(.httpStatus)
        /// The receiver's response could not be parsed.
        public static let badResponse = Code(.badResponse)
        /// The stream was stopped (`stop()`/`abort()`) before the object was sent.
        public static let stopped = Code(.stopped)
        /// The destination URL cannot be used.
        public static let invalidURL = Code(.invalidURL)
        /// A stream option is out of range.
        public static let invalidOptions = Code(.invalidOptions)
        /// liblz4 failed to compress.
        public static let compression = Code(.compression)

        public var description: String { wrapped.rawValue }
    }

    /// What kind of error this is.
    public var code: Code
    /// A human-readable explanation naming the stream, object or address concerned.
    public var message: String
    /// The HTTP status of a ``Code/httpStatus`` error, else 0.
    public var status: Int
    /// The underlying error, if any.
    public var cause: (any Error & Sendable)?

    /// Creates a send error.
    /// - Parameters:
    ///   - code: What kind of error this is.
    ///   - message: A human-readable explanation.
    ///   - status: The HTTP status for ``Code/httpStatus``.
    ///   - cause: The underlying error.
    public init(code: Code, message: String, status: Int = 0, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.cause = cause
    }

    public var description: String { "\(code): \(message)" }
}
