import Foundation
import ObjStreamTestSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A real `objstream serve` child process with one sink endpoint per ``StreamKind``,
/// which the chaos phase kills with SIGKILL and restarts on the same port.
final class ServeGateway: Sendable {
    /// Why the gateway could not be started or scraped.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let running = Mutex<ChildProcess?>(nil)
    private let boundPort = Atomic<UInt16>(0)
    private let startCount = Atomic(0)

    /// Starts the gateway on a port below the ephemeral range (32768 up), so that no client
    /// socket of this host can hold the port while the gateway is down, and no retrying
    /// connect can connect to itself. The gateway binds the port itself; one that is taken
    /// makes it exit, and another port is tried.
    init() throws {
        var lastError: (any Error)?
        for _ in 0..<20 {
            do {
                try start(port: UInt16.random(in: 20000..<32000))
                return
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }

    /// The port the gateway listens on.
    var port: UInt16 { boundPort.load(ordering: .relaxed) }

    /// How often the gateway was started.
    var starts: Int { startCount.load(ordering: .relaxed) }

    /// The stream URL of a kind.
    func url(_ kind: StreamKind) -> String { "http://127.0.0.1:\(port)/v1/objstream/\(kind.endpoint)" }

    /// The process id of the running gateway (0 when none runs).
    var pid: Int32 { running.withLock { $0?.pid ?? 0 } }

    /// Kills the gateway with SIGKILL and starts a new one on the same port.
    /// - Throws: ``Failure`` when the new one does not come up.
    func killAndRestart() throws {
        stop(signal: SIGKILL)
        try start(port: port)
    }

    /// Ends the gateway.
    /// - Parameter signal: SIGTERM for an orderly stop, SIGKILL for a crash.
    func stop(signal: Int32 = SIGTERM) {
        guard let process = running.withLock({ r -> ChildProcess? in defer { r = nil }; return r }) else { return }
        process.stop(signal: signal)
    }

    /// Resident memory, open descriptors and threads of the gateway process, from `/proc`.
    var usage: ProcessUsage? { ProcessUsage.read(pid: pid) }

    /// Scrapes `GET /metrics` with curl.
    /// - Returns: Sample values by series (`name{labels}`).
    /// - Throws: ``Failure`` when curl fails.
    func scrape() throws -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in try Curl.scrape(port).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// Starts `objstream serve` on `port` (0: any) and waits for its startup line.
    private func start(port: UInt16) throws {
        var arguments = ["serve", "--listen", "127.0.0.1:\(port)"]
        for kind in StreamKind.allCases { arguments += ["--endpoint", "\(kind.endpoint)=sink"] }
        let process = try ChildProcess(TestPaths.objstreamBinary.path, arguments)
        running.withLock { $0 = process }
        startCount.add(1, ordering: .relaxed)
        do {
            boundPort.store(try process.reportedPort(after: "objstream: listening on 127.0.0.1:"), ordering: .relaxed)
        } catch {
            stop(signal: SIGKILL)
            throw Failure(description: "objstream serve on port \(port) did not start: \(error)")
        }
    }
}
