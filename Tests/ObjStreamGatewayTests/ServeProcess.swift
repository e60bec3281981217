import Foundation
import ObjStreamTestSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real `objstream serve` process whose standard error is read line by line while
/// it runs, so that the port of `--listen 127.0.0.1:0` can be taken from its startup line.
final class ServeProcess: Sendable {
    let process: Process
    private let lines: LineCollector

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = TestPaths.objstreamBinary
        process.arguments = ["serve"] + arguments
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.lines = LineCollector(reading: errorPipe.fileHandleForReading)
    }

    /// Standard error so far, one entry per line.
    var stderrLines: [String] { lines.lines }

    /// The port of the startup line `objstream: listening on HOST:PORT`.
    func port(timeout: Duration = .seconds(20)) throws -> UInt16 {
        var port: UInt16?
        _ = eventually(timeout: timeout) {
            for line in stderrLines where line.hasPrefix("objstream: listening on ") {
                let address = line.dropFirst("objstream: listening on ".count).split(separator: " ").first ?? ""
                port = UInt16(address.split(separator: ":").last ?? "")
            }
            return port != nil || !process.isRunning
        }
        guard let port else { throw StartError(description: "no startup line: \(stderrLines)") }
        return port
    }

    /// Sends a signal and waits for the exit status.
    func terminate(_ signal: Int32 = SIGTERM) -> Int32 {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        lines.waitUntilClosed()
        return process.terminationStatus
    }

    /// Entries of `/proc/PID/fd` (open descriptors) and `/proc/PID/task` (threads).
    var openDescriptorsAndThreads: (fds: Int, threads: Int) {
        let pid = process.processIdentifier
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? -1
        return (fds, threads)
    }
}
