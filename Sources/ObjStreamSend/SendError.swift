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
            case refused
            case receiptMismatch = "receipt_mismatch"
            case destinationMissing = "destination_missing"
            case tls
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
        /// The receiver took the request but refused this object; ``SendError/receiverCode``
        /// says why (`checksum_mismatch`, `bad_name`, `io_error`, ...).
        public static let refused = Code(.refused)
        /// The receiver's receipt does not account for every object of the request: none of
        /// them counts as delivered.
        public static let receiptMismatch = Code(.receiptMismatch)
        /// An object was sent to a node that is not a destination of the bundle; the message
        /// and ``SendError/failedDestinations`` name it.
        public static let destinationMissing = Code(.destinationMissing)
        /// TLS failed: the receiver's certificate did not verify (untrusted, or not for the URL's
        /// host), the receiver refused the sender's certificate (its alert is named), or a TLS file
        /// cannot be used. Not retryable: a new connection meets the same certificates.
        public static let tls = Code(.tls)

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
    /// The receiver's own code: of a refused object, or of an error response's JSON body.
    public var receiverCode: String?
    /// Whether none of the object's bytes left the sender: it was still queued when its
    /// stream terminated (with this error, caused by other objects), so sending it again
    /// cannot make a duplicate.
    public var unsent = false
    /// Of an object a ``StreamBundle`` sent to several destinations: the ids of those whose
    /// copy failed, in the order their copies completed (or those not in the bundle);
    /// empty for an object sent on one stream.
    public var failedDestinations: [String] = []

    /// Creates a send error.
    /// - Parameters:
    ///   - code: What kind of error this is.
    ///   - message: A human-readable explanation.
    ///   - status: The HTTP status for ``Code/httpStatus``.
    ///   - cause: The underlying error.
    ///   - receiverCode: The receiver's own code.
    public init(
        code: Code, message: String, status: Int = 0, cause: (any Error & Sendable)? = nil, receiverCode: String? = nil
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.cause = cause
        self.receiverCode = receiverCode
    }

    public var description: String { "\(code): \(message)" }
}

extension SendError {
    /// Whether sending the object again, on a new request, can succeed: network and
    /// connection failures, responses that were lost or unreadable, a broken stream (`400`),
    /// a receiver's temporary trouble (`408`, `429`, `5xx` other than `501`, `505`, `507`),
    /// and a refusal for an I/O error. Not: a refusal of the object itself (its name, its
    /// checksum), a source that failed, an unknown endpoint, a stop.
    public var isRetryable: Bool {
        switch code {
        case .network, .connectFailed, .badResponse, .receiptMismatch:
            return true
        case .httpStatus:
            return status == 400 || status == 408 || status == 429 || (500...599).contains(status)
                && ![501, 505, 507].contains(status)
        case .refused:
            return receiverCode == "io_error"
        case .terminated:
            return unsent
        default:
            return false
        }
    }
}
