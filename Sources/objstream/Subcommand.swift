/// One command of `objstream` (`serve`, `send`, `frame`, `config`): its name, its usage, and the
/// way every command answers `--help` and a usage error.
protocol Subcommand {
    /// The name after `objstream`, like `send`.
    static var name: String { get }
    /// The text `--help` prints and a usage error repeats.
    static var usage: String { get }
    /// Runs the command.
    /// - Parameter arguments: The arguments after the name.
    /// - Returns: The exit status.
    static func run(_ arguments: [String]) -> Int32
}

extension Subcommand {
    /// Writes `objstream NAME: message` and the usage to standard error.
    /// - Parameter message: What is wrong with the command line.
    /// - Returns: 2, the exit status of a usage error.
    static func fail(_ message: String) -> Int32 {
        StandardError.write("objstream \(name): \(message)\n\(usage)\n")
        return 2
    }

    /// Takes the options with ``ArgumentCursor/parse(_:_:)``; prints the usage for `--help`, fails a usage error.
    /// - Parameters:
    ///   - arguments: The arguments after the name.
    ///   - argument: Handles one argument; it takes an option's value from the cursor it is given.
    /// - Returns: The exit status when the command is done (0 after `--help`, 2 for a usage error), nil to go on.
    static func parseOptions(
        _ arguments: [String], _ argument: (String, inout ArgumentCursor) throws(UsageError) -> Void
    ) -> Int32? {
        do {
            guard try ArgumentCursor.parse(arguments, argument) else { return nil }
            print(usage)
            return 0
        } catch {
            return fail(error.message)
        }
    }
}
