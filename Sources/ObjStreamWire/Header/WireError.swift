/// An error encoding or decoding an object header: what was wrong, in which field, at which offset.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of error this is. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case malformed
            case lengthMismatch = "length_mismatch"
            case stringTooLong = "string_too_long"
            case emptyMetadataKey = "empty_metadata_key"
            case headerTooLarge = "header_too_large"
            case invalidSize = "invalid_size"
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// A field runs past the header's length.
        public static let malformed = Code(.malformed)
        /// Decoding stopped short of the header's length.
        public static let lengthMismatch = Code(.lengthMismatch)
        /// A string is longer than 65535 bytes and cannot be encoded.
        public static let stringTooLong = Code(.stringTooLong)
        /// A custom metadata key is empty and would read as the terminator.
        public static let emptyMetadataKey = Code(.emptyMetadataKey)
        /// The encoded header exceeds the allowed maximum.
        public static let headerTooLarge = Code(.headerTooLarge)
        /// The object size is below -1.
        public static let invalidSize = Code(.invalidSize)

        public var description: String { wrapped.rawValue }
    }

    /// What kind of error this is.
    public var code: Code
    /// The header field concerned (`ObjName`, `Opaque`, ...).
    public var field: String
    /// The byte offset within the header where the problem was found.
    public var offset: Int
    /// A human-readable explanation.
    public var message: String

    /// Creates a header coding error.
    public init(code: Code, field: String, offset: Int, message: String) {
        self.code = code
        self.field = field
        self.offset = offset
        self.message = message
    }

    public var description: String {
        "\(code): field \(field) at header offset \(offset): \(message)"
    }
}
