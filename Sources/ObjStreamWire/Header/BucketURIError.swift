/// Why a bucket URI (`ais://b`, `s3://@uuid#ns/b`) does not parse.
public struct BucketURIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What is wrong with the URI. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case missingScheme = "missing_scheme"
            case unknownScheme = "unknown_scheme"
            case namespaceWithoutName = "namespace_without_name"
            case emptyName = "empty_name"
            case nameHoldsSlash = "name_holds_slash"
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// There is no `scheme://`.
        public static let missingScheme = Code(.missingScheme)
        /// The scheme names no known provider.
        public static let unknownScheme = Code(.unknownScheme)
        /// A namespace (`@uuid`, `#ns`) is not followed by `/name`.
        public static let namespaceWithoutName = Code(.namespaceWithoutName)
        /// The bucket name is empty.
        public static let emptyName = Code(.emptyName)
        /// The bucket name holds a `/`.
        public static let nameHoldsSlash = Code(.nameHoldsSlash)

        public var description: String { wrapped.rawValue }
    }

    /// What is wrong with the URI.
    public var code: Code
    /// What is wrong with the URI, in words.
    public var message: String

    /// Creates a bucket URI error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
