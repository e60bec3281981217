/// The arguments of a command, taken one at a time: options with their values, and the rest.
struct ArgumentCursor {
    private var rest: ArraySlice<String>

    /// Starts before the first argument.
    /// - Parameter arguments: The arguments after the command's name.
    init(_ arguments: [String]) {
        rest = arguments[...]
    }

    /// Takes every argument in order and hands each to `argument`, until one asks for help.
    /// - Parameters:
    ///   - arguments: The arguments after the command's name.
    ///   - argument: Handles one argument; it takes an option's value from the cursor it is given.
    /// - Returns: true when an argument was `-h` or `--help` (the arguments after it are not taken).
    /// - Throws: The first `UsageError` of `argument`.
    static func parse(
        _ arguments: [String], _ argument: (String, inout ArgumentCursor) throws(UsageError) -> Void
    ) throws(UsageError) -> Bool {
        var cursor = ArgumentCursor(arguments)
        while let next = cursor.next() {
            if next == "-h" || next == "--help" { return true }
            try argument(next, &cursor)
        }
        return false
    }

    /// Whether every argument has been taken.
    var isAtEnd: Bool { rest.isEmpty }

    /// The arguments not taken yet.
    var remaining: [String] { Array(rest) }

    /// Takes the next argument.
    /// - Returns: The argument, or nil after the last one.
    mutating func next() -> String? {
        rest.popFirst()
    }

    /// Takes the value of an option that was just taken.
    /// - Parameter flag: The option, like `--linger`.
    /// - Returns: The next argument, as is.
    /// - Throws: `UsageError` `missingValue` (`--linger needs a value`) when there is none.
    mutating func value(for flag: String) throws(UsageError) -> String {
        guard let value = rest.popFirst() else { throw UsageError(.missingValue, "\(flag) needs a value") }
        return value
    }

    /// Takes the value of an option that was just taken and parses it.
    /// - Parameters:
    ///   - flag: The option, like `--linger`.
    ///   - parse: Makes the value from the argument; nil when the argument is not valid.
    ///   - problem: The message for an argument `parse` refuses, like `--linger 'X' is not a duration (like 15s)`.
    /// - Returns: The parsed value.
    /// - Throws: `UsageError` `missingValue` when there is no argument, `invalidValue` when `parse` refuses it.
    mutating func value<Value>(
        for flag: String, parsedBy parse: (String) -> Value?, else problem: (String) -> String
    ) throws(UsageError) -> Value {
        let text = try value(for: flag)
        guard let parsed = parse(text) else { throw UsageError(.invalidValue, problem(text)) }
        return parsed
    }
}
