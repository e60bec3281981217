/// `objstream frame`.
enum FrameCommand {
    /// Runs the command with its arguments; returns the exit status.
    static func run(_ arguments: [String]) -> Int32 {
        FileHandleError.write("objstream frame: not built yet\n")
        return 2
    }
}
