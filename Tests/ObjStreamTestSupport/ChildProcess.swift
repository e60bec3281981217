import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real process started by a test (the `objstream` tool, curl, promtool, Prometheus):
/// the one way tests start, watch and stop a child.
///
/// Standard output and standard error are read at once, each on a thread of its own, so a
/// child that fills one pipe before writing the other never blocks.
public final class ChildProcess: Sendable {
    /// What a finished process left.
    public struct Outcome: Sendable {
        /// The exit status, or the signal that ended it.
        public var status: Int32
        /// Everything it wrote to standard output.
        public var stdout: String
        /// Everything it wrote to standard error.
        public var stderr: String
    }

    /// Why a process could not be waited for.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, with the process's output so far.
        public var description: String

        /// Creates a failure.
        /// - Parameter description: What went wrong.
        public init(description: String) { self.description = description }
    }

    private let process: Process
    private let output: LineCollector
    private let errors: LineCollector

    /// Starts a process.
    /// - Parameters:
    ///   - executable: Absolute path, or a name looked up in `PATH`.
    ///   - arguments: Its arguments.
    ///   - stdin: Bytes to write to its standard input, then close it (nil: no input).
    public init(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil) throws {
        let process = Process()
        if executable.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [executable] + arguments
        }
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        self.process = process
        output = LineCollector(reading: stdoutPipe.fileHandleForReading)
        errors = LineCollector(reading: stderrPipe.fileHandleForReading)
        if let stdin {
            let handle = input.fileHandleForWriting
            Thread.detachNewThread {
                handle.write(Data(stdin))
                try? handle.close()
            }
        }
    }

    /// Runs a process to completion.
    /// - Parameters:
    ///   - executable: Absolute path, or a name looked up in `PATH`.
    ///   - arguments: Its arguments.
    ///   - stdin: Bytes for its standard input.
    /// - Returns: Its exit status and output.
    public static func run(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil) throws -> Outcome {
        try ChildProcess(executable, arguments, stdin: stdin).wait()
    }

    /// The process id.
    public var pid: Int32 { process.processIdentifier }

    /// Standard output so far.
    public var stdout: String { output.text }

    /// Standard error so far.
    public var stderr: String { errors.text }

    /// Standard error so far, one entry per line.
    public var stderrLines: [String] { errors.lines }

    /// Standard output and standard error so far, for failure messages.
    public var text: String { output.text + errors.text }

    /// Waits for a line of standard output or standard error that contains `marker`.
    /// - Parameters:
    ///   - marker: Text to look for.
    ///   - timeout: How long to wait; bounds a failure only.
    /// - Returns: The first such line, or nil when the process ended without one or the time ran out.
    public func line(containing marker: String, timeout: Duration = .seconds(60)) -> String? {
        var found: String?
        _ = eventually(timeout: timeout) {
            found = (output.lines + errors.lines).first { $0.contains(marker) }
            return found != nil || (!process.isRunning && output.isClosed && errors.isClosed)
        }
        return found
    }

    /// The port number that the process printed right after `marker`, like
    /// `objstream: listening on 127.0.0.1:` for `serve --listen 127.0.0.1:0`.
    /// - Parameters:
    ///   - marker: The text just before the port.
    ///   - timeout: How long to wait for the line.
    /// - Returns: The port.
    /// - Throws: ``Failure`` with the output when no such line came.
    public func reportedPort(after marker: String, timeout: Duration = .seconds(60)) throws -> UInt16 {
        guard let line = line(containing: marker, timeout: timeout),
            let port = UInt16(line.components(separatedBy: marker).last?.prefix { $0.isNumber } ?? ""), port != 0
        else { throw Failure(description: "no '\(marker)PORT' line: \(text)") }
        return port
    }

    /// Sends a signal, if the process still runs.
    /// - Parameter number: The signal, like `SIGTERM`.
    public func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    /// Waits for the process to exit on its own.
    /// - Parameter timeout: How long to wait.
    /// - Returns: The exit status, or nil when it still runs after `timeout`.
    public func waitForExit(timeout: Duration = .seconds(60)) -> Int32? {
        guard eventually(timeout: timeout, { !process.isRunning }) else { return nil }
        process.waitUntilExit()
        _ = eventually(timeout: timeout) { output.isClosed && errors.isClosed }
        return process.terminationStatus
    }

    /// Waits for the exit and everything the process wrote.
    /// - Parameter timeout: How long the process may run; bounds a hang only.
    /// - Returns: The outcome.
    /// - Throws: ``Failure`` when the process still runs after `timeout` (it is then killed).
    public func wait(timeout: Duration = .seconds(300)) throws -> Outcome {
        guard let status = waitForExit(timeout: timeout) else {
            stop()
            throw Failure(description: "still running after \(timeout): \(text)")
        }
        return Outcome(status: status, stdout: output.text, stderr: errors.text)
    }

    /// Sends `signal` (SIGTERM by default), waits up to `timeout` for the exit, then SIGKILL.
    /// - Parameters:
    ///   - signal: The first signal.
    ///   - timeout: How long the process may take to stop after it.
    /// - Returns: The exit status (or the killing signal).
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) -> Int32 {
        self.signal(signal)
        if let status = waitForExit(timeout: timeout) { return status }
        self.signal(SIGKILL)
        process.waitUntilExit()
        return process.terminationStatus
    }
}
