import Foundation

/// A real process started by a test: the `objstream` tool, curl, promtool, ...
public final class ChildProcess: @unchecked Sendable {
    /// The running process.
    public let process: Process
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()

    /// Starts a process.
    /// - Parameters:
    ///   - executable: Absolute path, or a name looked up in `PATH`.
    ///   - arguments: Its arguments.
    ///   - stdin: Bytes to write to its standard input, then close it (nil: no input).
    public init(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil) throws {
        process = Process()
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            let handle = input.fileHandleForWriting
            DispatchQueue.global().async {
                handle.write(Data(stdin))
                try? handle.close()
            }
        }
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Sends a signal.
    public func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for the process to exit and returns its status and output.
    public func wait() -> (status: Int32, stdout: String, stderr: String) {
        let out = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        let err = stderrPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// Runs a process to completion.
    public static func run(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        try ChildProcess(executable, arguments, stdin: stdin).wait()
    }
}
