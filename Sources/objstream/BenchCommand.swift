/// `objstream bench`.
enum BenchCommand {
    /// Runs the command with its arguments; returns the exit status.
    static func run(_ arguments: [String]) -> Int32 {
        FileHandleError.write("objstream bench: not built yet\n")
        return 2
    }
}
