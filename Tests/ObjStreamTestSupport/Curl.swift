/// The real curl (Debian package `curl`), with its output split into status and body: the
/// one way tests make HTTP requests to a process under test.
public enum Curl {
    /// What one request gave.
    public struct Result: Sendable {
        /// The HTTP status (0 when curl got no answer, -1 when it printed none).
        public var status: Int
        /// The response body.
        public var body: String
        /// What curl wrote to standard error.
        public var stderr: String
        /// curl's exit status (7: could not connect).
        public var exitStatus: Int32
    }

    /// Runs `curl -sS -w '\n%{http_code}' ARGS`.
    /// - Parameters:
    ///   - arguments: Options and the URL.
    ///   - stdin: Bytes for curl's standard input (`--data-binary @-`).
    /// - Returns: Status, body and errors.
    /// - Throws: ``RequiredTool/Missing`` when curl is not installed.
    public static func run(_ arguments: [String], stdin: [UInt8]? = nil) throws -> Result {
        let curl = try RequiredTool.path("curl", package: "curl")
        let out = try ChildProcess.run(curl, ["-sS", "-w", "\n%{http_code}"] + arguments, stdin: stdin)
        var lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? -1
        return Result(
            status: status, body: lines.joined(separator: "\n"), stderr: out.stderr,
            exitStatus: out.status)
    }

    /// `GET http://127.0.0.1:PORT/metrics`: the exposition text.
    /// - Parameter port: The port of a gateway or sender.
    /// - Returns: The body.
    /// - Throws: When curl is missing or the answer is not `200`.
    public static func scrape(_ port: UInt16) throws -> String {
        let result = try run(["--max-time", "30", "http://127.0.0.1:\(port)/metrics"])
        guard result.status == 200 else {
            throw ChildProcess.Failure(description: "GET :\(port)/metrics: \(result.status) \(result.stderr)")
        }
        return result.body
    }
}
