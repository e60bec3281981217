import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A real `objstream serve` with a configuration of the test's, listening on `127.0.0.1:0`
/// (or an address of the test's) with an admin listener on `127.0.0.1:0`: its ports, its
/// store, scrapes of its admin listener, and its resident memory and threads from `/proc`.
public final class ServedGateway: Sendable {
    /// The running process.
    public let process: ChildProcess
    /// The stream listener's host, as the configuration names it.
    public let host: String
    /// The stream listener's port.
    public let port: UInt16
    /// The admin listener's port.
    public let adminPort: UInt16
    /// The folder of its configuration and of its store (`store/`).
    public let folder: URL
    private let gateway: String
    private let endpoints: String
    private let launcher: [String]
    private let tls: String

    /// Starts `objstream serve --config FILE` with `gateway` as the config's `gateway` section.
    /// - Parameters:
    ///   - gateway: The `gateway` section's keys, as JSON members (`"header_timeout": "5s"`).
    ///   - endpoints: The endpoints, as the JSON array's members.
    ///   - listen: The stream listener's `HOST:PORT` (port 0: any).
    ///   - folder: Where the configuration and the store go; nil: a new temporary folder.
    ///   - launcher: A command that runs `objstream` (like `ip netns exec NAME`); empty: none.
    ///   - tls: The `tls` section as JSON (`null`: plain TCP).
    public init(
        gateway: String = "", endpoints: String = #"{"name": "default", "action": "sink"}"#,
        listen: String = "127.0.0.1:0", folder: URL? = nil, launcher: [String] = [], tls: String = "null"
    ) throws {
        let folder = try folder ?? TestPaths.temporaryDirectory("objstream-served")
        let config = folder.appendingPathComponent("objstream.json")
        let json = """
            {"listen": "\(listen)", "admin_listen": "127.0.0.1:0", "store_dir": "\(folder.path)/store",
             "endpoints": [\(endpoints)], "gateway": {\(gateway)}, "tls": \(tls)}
            """
        try Data(json.utf8).write(to: config)
        let arguments = ["serve", "--config", config.path]
        process = try launcher.isEmpty
            ? ChildProcess(TestPaths.objstreamBinary.path, arguments)
            : ChildProcess(launcher[0], Array(launcher.dropFirst()) + [TestPaths.objstreamBinary.path] + arguments)
        host = String(listen[..<(listen.lastIndex(of: ":") ?? listen.endIndex)])
        self.folder = folder
        self.gateway = gateway
        self.endpoints = endpoints
        self.launcher = launcher
        self.tls = tls
        do {
            port = try process.reportedPort(after: "objstream: listening on \(host):")
            adminPort = try process.reportedPort(after: "objstream: admin listening on 127.0.0.1:")
        } catch {
            process.stop(signal: SIGKILL)
            throw error
        }
    }

    /// Starts a gateway on a port below the ephemeral range (32768 up), so that no client
    /// socket of this host can hold the port while it is down after ``kill()``, and no
    /// retrying connect can connect to itself: ``restarted()`` can take the port again. A
    /// port that is taken makes the gateway exit, and another is tried.
    /// - Parameter endpoints: The endpoints, as the JSON array's members.
    /// - Returns: The gateway.
    public static func restartable(endpoints: String) throws -> ServedGateway {
        var lastError: (any Error)?
        for _ in 0..<20 {
            do {
                return try ServedGateway(endpoints: endpoints, listen: "127.0.0.1:\(UInt16.random(in: 20000..<32000))")
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }

    /// A new gateway on this one's address, configuration and store (after ``kill()``).
    /// - Returns: The gateway.
    public func restarted() throws -> ServedGateway {
        try ServedGateway(
            gateway: gateway, endpoints: endpoints, listen: "\(host):\(port)", folder: folder, launcher: launcher,
            tls: tls)
    }

    /// The stream URL of an endpoint.
    /// - Parameter endpoint: The endpoint's name.
    /// - Returns: `http://HOST:PORT/v1/objstream/NAME`.
    public func url(_ endpoint: String) -> String { "http://\(host):\(port)/v1/objstream/\(endpoint)" }

    /// The base URL, as a cluster map names a node's gateway.
    public var baseURL: String { "http://\(host):\(port)" }

    /// The file a store endpoint wrote an object of an `ais://` bucket in the global namespace to.
    /// - Parameters:
    ///   - bucket: The bucket's name.
    ///   - object: The object's name.
    /// - Returns: The file's URL.
    public func storedFile(bucket: String, object: String) -> URL {
        folder.appendingPathComponent("store/ais/@global/\(bucket)/\(object)")
    }

    /// `GET` on the admin listener.
    /// - Parameter path: `/metrics`, `/healthz`, `/readyz`.
    /// - Returns: curl's result.
    public func admin(_ path: String) throws -> Curl.Result {
        try Curl.run(["--max-time", "30", "http://127.0.0.1:\(adminPort)\(path)"])
    }

    /// The admin listener's `/metrics`, scraped in this process (tests poll it; a curl per
    /// poll is a process start per poll).
    /// - Returns: The exposition text.
    /// - Throws: When the connection fails, the answer is not `200`, or the gateway has exited
    ///   (with what it wrote to standard error last).
    public func metrics() throws -> String {
        let response: LoopbackTCP.Response
        do {
            response = try LoopbackTCP.get(port: adminPort, path: "/metrics")
        } catch {
            throw ChildProcess.Failure(description: "\(error)\(process.exitReport)")
        }
        guard response.status == 200 else {
            throw ChildProcess.Failure(description: "GET :\(adminPort)/metrics: \(response.status)\(process.exitReport)")
        }
        return response.body
    }

    /// The value of one series in a fresh scrape (0 when absent).
    /// - Parameter series: The name with its labels, exactly as exposed.
    public func value(_ series: String) throws -> Double { ExpositionText.value(of: series, in: try metrics()) ?? 0 }

    /// A field of `/proc/PID/status` in its unit (`VmRSS` in kB, `Threads`).
    public func status(_ field: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? -1
        }
        return -1
    }

    /// Resident memory in bytes.
    public var residentBytes: Int { status("VmRSS") * 1024 }

    /// Threads.
    public var threads: Int { status("Threads") }

    /// Kills the gateway with SIGKILL (a crash), leaving its folder for ``restarted()``.
    public func kill() {
        process.stop(signal: SIGKILL)
    }

    /// Stops the gateway (SIGTERM, then SIGKILL) and removes its folder.
    /// - Returns: The exit status.
    @discardableResult
    public func stop() -> Int32 {
        defer { try? FileManager.default.removeItem(at: folder) }
        return process.stop()
    }
}
