import ObjStreamTestSupport

/// Runs the real curl and splits its output into status and body.
enum Curl {
    struct Result {
        var status: Int
        var body: String
        var stderr: String
    }

    /// Runs `curl -sS ARGS -w '\n%{http_code}' URL`.
    static func run(_ arguments: [String], stdin: [UInt8]? = nil) throws -> Result {
        let out = try ChildProcess.run("curl", ["-sS", "-w", "\n%{http_code}"] + arguments, stdin: stdin)
        var lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? -1
        return Result(status: status, body: lines.joined(separator: "\n"), stderr: out.stderr)
    }
}
