/// A command line a command cannot run: what is wrong, in the words the command prints.
struct UsageError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Codes may be added over time.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case unknownOption = "unknown_option"
            case missingValue = "missing_value"
            case invalidValue = "invalid_value"
            case invalidCombination = "invalid_combination"
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// An option the command does not know.
        static let unknownOption = Code(.unknownOption)
        /// An option that needs a value was the last argument.
        static let missingValue = Code(.missingValue)
        /// An option's value does not parse or is out of range.
        static let invalidValue = Code(.invalidValue)
        /// Something required is missing, or two arguments exclude each other.
        static let invalidCombination = Code(.invalidCombination)

        var description: String { wrapped.rawValue }
    }

    /// What went wrong.
    var code: Code
    /// The line the command prints after its name, like `--linger needs a value`.
    var message: String

    /// Creates a usage error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: The line the command prints.
    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}
