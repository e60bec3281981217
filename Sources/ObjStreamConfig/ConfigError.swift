/// A configuration that could not be read or used, with every problem found (not just the first).
public struct ConfigError: Error, CustomStringConvertible {
    /// What kind of failure this is. Codes may be added over time.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case unreadable
            case malformedJSON = "malformed_json"
            case invalid
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The file could not be read.
        public static let unreadable = Code(.unreadable)
        /// The file is not a JSON object.
        public static let malformedJSON = Code(.malformedJSON)
        /// The JSON is well formed, but keys are unknown or values out of range.
        public static let invalid = Code(.invalid)

        public var description: String { wrapped.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// Every problem found, in file order (sections in the order of the shipped config).
    public var problems: [ConfigProblem]
    /// The underlying error (file system or JSON parser), if any.
    public var cause: (any Error)?

    /// Creates a configuration error.
    /// - Parameters:
    ///   - code: What kind of failure this is.
    ///   - problems: Every problem found; at least one.
    ///   - cause: The underlying error, if any.
    public init(code: Code, problems: [ConfigProblem], cause: (any Error)? = nil) {
        self.code = code
        self.problems = problems
        self.cause = cause
    }

    /// One `key: value: message` line per problem.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
