/// A receiver's refusal of one object: thrown from ``ObjectReceiver/receive(header:)``,
/// ``ObjectReceiver/receive(data:)`` or ``ObjectReceiver/endObject()``, it refuses that
/// object only and the stream goes on.
///
/// The session skips the refused object's remaining data (no more calls for it), lists
/// the refusal in its ``StreamSession/refused`` (the gateway's receipt tells the sender),
/// and counts it in `objstream_rx_refused_objects_total{endpoint}`. Any other error a
/// receiver throws ends the stream.
public struct ObjectRefusal: Error, Sendable, CustomStringConvertible {
    /// Why an object was refused. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case badName = "bad_name"
            case nameClash = "name_clash"
            case permission = "permission"
            case io = "io_error"
            case checksumMismatch = "checksum_mismatch"
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The name cannot be stored (empty, `.` or `..` segments, a NUL byte, ...).
        public static let badName = Code(.badName)
        /// The name clashes with what is stored (a file where a folder is needed, or the reverse).
        public static let nameClash = Code(.nameClash)
        /// The store may not write there (`EACCES`, `EPERM`, a read-only folder).
        public static let permission = Code(.permission)
        /// Writing the object failed (an I/O error other than out of space).
        public static let io = Code(.io)
        /// The data does not match the checksum in the object's header.
        public static let checksumMismatch = Code(.checksumMismatch)

        /// Whether sending the object again can succeed (an I/O error may pass; a bad name or
        /// a checksum mismatch of the sender's data will not).
        public var isRetryable: Bool { self == .io }

        public var description: String { wrapped.rawValue }
    }

    /// Why the object was refused.
    public var code: Code
    /// What went wrong, in words (names the object or path).
    public var message: String

    /// Creates a refusal.
    /// - Parameters:
    ///   - code: Why the object is refused.
    ///   - message: What went wrong, in words.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
