import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A long-running real process (gateway, Prometheus) whose combined output a test can wait on.
final class ServiceProcess: @unchecked Sendable {
    private let process = Process()
    private let output = Pipe()
    private let captured = Captured()

    /// The output so far, shared with the pipe's reading handler.
    private final class Captured: Sendable {
        let text = Mutex<String>("")
    }

    /// Starts the process.
    /// - Parameters:
    ///   - executable: Absolute path of the executable.
    ///   - arguments: Its arguments.
    init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let sink = captured
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { sink.text.withLock { $0 += String(decoding: data, as: UTF8.self) } }
        }
        try process.run()
    }

    /// Everything the process wrote so far.
    var text: String { captured.text.withLock { $0 } }

    /// Waits until the output holds a line containing `marker`.
    /// - Parameters:
    ///   - marker: Text to look for.
    ///   - timeout: How long to wait.
    /// - Returns: The first such line, or nil on timeout or exit.
    func line(containing marker: String, timeout: Duration = .seconds(30)) -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = text.split(separator: "\n").first(where: { $0.contains(marker) }) { return String(line) }
            if !process.isRunning { return nil }
            usleep(10_000)
        }
        return nil
    }

    /// Sends a signal to the process.
    /// - Parameter number: The signal, like `SIGTERM`.
    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    /// Waits for the process to exit on its own.
    /// - Parameter timeout: How long to wait.
    /// - Returns: The exit status, or nil when it still runs after `timeout`.
    func waitForExit(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends SIGTERM, waits up to `timeout` for the exit, then SIGKILL.
    /// - Parameter timeout: How long the process may take to stop.
    /// - Returns: The exit status (or the killing signal).
    @discardableResult
    func stop(timeout: Duration = .seconds(15)) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }
}
