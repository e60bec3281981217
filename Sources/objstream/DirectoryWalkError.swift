/// Why `objstream send` cannot collect the files it was given.
struct DirectoryWalkError: Error, Sendable, CustomStringConvertible {
    /// What went wrong. Codes may be added over time.
    struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: String, Hashable, Sendable {
            case notFound = "not_found"
            case notRegularFile = "not_regular_file"
            case unlistable
        }

        private let wrapped: Wrapped
        private init(_ wrapped: Wrapped) { self.wrapped = wrapped }

        /// The path does not exist.
        static let notFound = Code(.notFound)
        /// The path is neither a directory nor a regular file.
        static let notRegularFile = Code(.notRegularFile)
        /// The directory cannot be listed.
        static let unlistable = Code(.unlistable)

        var description: String { wrapped.rawValue }
    }

    /// What went wrong.
    var code: Code
    /// The line `objstream send` prints, like `/tmp/x: no such file or directory`.
    var message: String

    var description: String { message }
}
