import CFileSystem
import Foundation
import ObjStreamWire
import Synchronization

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

    private let pid_: pid_t
    /// The decoded exit status once the process has been reaped; nil while it runs.
    private let exit = Mutex<Int32?>(nil)
    private let output: LineCollector
    private let errors: LineCollector

    /// Writes to a pipe whose reader has gone fail with `EPIPE` instead of killing the test.
    private static let ignoreBrokenPipes: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()

    /// Starts a process.
    ///
    /// Spawned directly, not through `Foundation.Process`, whose exit watcher is not reliable
    /// in a process that holds thousands of sockets (a test of many connections): the exit is
    /// learnt with `waitpid`, the output read with `read` on threads of its own. Every
    /// descriptor the tests open is close-on-exec; the child gets its three pipes and the
    /// default disposition of every signal (the test process ignores `SIGPIPE`).
    ///
    /// The corresponding C functions are `pipe2` and `posix_spawn` (`posix_spawnp` for a name).
    /// - Parameters:
    ///   - executable: Absolute path, or a name looked up in `PATH`.
    ///   - arguments: Its arguments.
    ///   - stdin: Bytes to write to its standard input, then close it (nil: no input).
    /// - Throws: ``Failure`` when the pipes cannot be made or the process cannot be started.
    public init(_ executable: String, _ arguments: [String], stdin: [UInt8]? = nil) throws {
        Self.ignoreBrokenPipes
        var pipes = [Int32](repeating: -1, count: 6)
        for i in 0..<3 {
            guard pipes.withUnsafeMutableBufferPointer({ pipe2($0.baseAddress! + 2 * i, O_CLOEXEC) }) == 0 else {
                let failure = Failure(description: "pipe2: \(String(cString: strerror(errno)))")
                for fd in pipes where fd >= 0 { close(fd) }
                throw failure
            }
        }
        let (inputRead, inputWrite) = (pipes[0], pipes[1])
        let (outputRead, outputWrite) = (pipes[2], pipes[3])
        let (errorRead, errorWrite) = (pipes[4], pipes[5])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdin == nil {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else {
            posix_spawn_file_actions_adddup2(&actions, inputRead, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outputWrite, 1)
        posix_spawn_file_actions_adddup2(&actions, errorWrite, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t()
        sigfillset(&all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        let rc =
            executable.hasPrefix("/")
            ? posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            : posix_spawnp(&pid, executable, &actions, &attributes, argv, environ)
        close(inputRead)
        close(outputWrite)
        close(errorWrite)
        guard rc == 0 else {
            for fd in [inputWrite, outputRead, errorRead] { close(fd) }
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        pid_ = pid
        output = LineCollector(reading: outputRead)
        errors = LineCollector(reading: errorRead)
        if let stdin {
            Thread.detachNewThread {
                stdin.withUnsafeBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let n = retryingOnInterrupt { write(inputWrite, bytes.baseAddress! + offset, bytes.count - offset) }
                        if n <= 0 { break }
                        offset += n
                    }
                }
                close(inputWrite)
            }
        } else {
            close(inputWrite)
        }
    }

    /// The exit status once the process has exited (reaping it), nil while it runs.
    ///
    /// The corresponding C function is `waitpid` (`WNOHANG`).
    private var exitStatus: Int32? {
        exit.withLock { status in
            guard status == nil else { return status }
            var raw: Int32 = 0
            let reaped = retryingOnInterrupt { waitpid(pid_, &raw, WNOHANG) }
            if reaped == pid_ {
                // WIFEXITED: the exit code; otherwise the signal that ended it.
                status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
            }
            return status
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
    public var pid: Int32 { pid_ }

    /// Standard output so far.
    public var stdout: String { output.text }

    /// Standard error so far.
    public var stderr: String { errors.text }

    /// Standard error so far, one entry per line.
    public var stderrLines: [String] { errors.lines }

    /// Standard output and standard error so far, for failure messages.
    public var text: String { output.text + errors.text }

    /// Empty while the process runs; once it has exited, its status and the last lines it
    /// wrote to standard error, for the message of a failure that its exit explains.
    public var exitReport: String {
        guard let status = exitStatus else { return "" }
        return "; the process exited (status \(status)), last lines of its standard error:\n"
            + errors.lines.suffix(20).joined(separator: "\n")
    }

    /// Waits for a line of standard output or standard error that contains `marker`.
    /// - Parameters:
    ///   - marker: Text to look for.
    ///   - timeout: How long to wait; bounds a failure only.
    /// - Returns: The first such line, or nil when the process ended without one or the time ran out.
    public func line(containing marker: String, timeout: Duration = .seconds(60)) -> String? {
        var found: String?
        _ = eventually(timeout: timeout) {
            found = (output.lines + errors.lines).first { $0.contains(marker) }
            return found != nil || (exitStatus != nil && output.isClosed && errors.isClosed)
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

    /// Sends a signal, if the process still runs (a process not yet reaped keeps its pid).
    ///
    /// The corresponding C function is `kill`.
    /// - Parameter number: The signal, like `SIGTERM`.
    public func signal(_ number: Int32) {
        exit.withLock { status in
            if status == nil { _ = kill(pid_, number) }
        }
    }

    /// Waits for the process to exit on its own.
    /// - Parameter timeout: How long to wait.
    /// - Returns: The exit status, or nil when it still runs after `timeout`.
    public func waitForExit(timeout: Duration = .seconds(60)) -> Int32? {
        guard eventually(timeout: timeout, { exitStatus != nil }) else { return nil }
        _ = eventually(timeout: timeout) { output.isClosed && errors.isClosed }
        return exitStatus
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
        // A killed process is reaped at once; the bound only turns a kernel's hang into a failure.
        return waitForExit(timeout: .seconds(300)) ?? SIGKILL
    }
}
