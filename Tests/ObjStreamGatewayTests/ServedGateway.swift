import Foundation
import ObjStreamTestSupport

/// A real `objstream serve` with a configuration of the test's, listening on `127.0.0.1:0`
/// with an admin listener on `127.0.0.1:0`: its ports, scrapes of its admin listener, and
/// its resident memory and threads from `/proc`.
final class ServedGateway: Sendable {
    let process: ChildProcess
    /// The stream listener's port.
    let port: UInt16
    /// The admin listener's port.
    let adminPort: UInt16
    /// The folder of its configuration and store (`store/` under it).
    let folder: URL

    /// Starts `objstream serve --config FILE` with `gateway` as the config's `gateway` section.
    /// - Parameters:
    ///   - gateway: The `gateway` section's keys, as JSON members (`"header_timeout": "5s"`).
    ///   - endpoints: The endpoints, as the JSON array's members.
    ///   - tls: The `tls` section as JSON (`null`: plain TCP).
    init(gateway: String = "", endpoints: String = #"{"name": "default", "action": "sink"}"#, tls: String = "null")
        throws
    {
        folder = try TestPaths.temporaryDirectory("objstream-served")
        let config = folder.appendingPathComponent("objstream.json")
        let json = """
            {"listen": "127.0.0.1:0", "admin_listen": "127.0.0.1:0", "store_dir": "\(folder.path)/store",
             "endpoints": [\(endpoints)], "gateway": {\(gateway)}, "tls": \(tls)}
            """
        try Data(json.utf8).write(to: config)
        process = try ChildProcess(TestPaths.objstreamBinary.path, ["serve", "--config", config.path])
        port = try process.reportedPort(after: "objstream: listening on 127.0.0.1:")
        adminPort = try process.reportedPort(after: "objstream: admin listening on 127.0.0.1:")
    }

    /// `GET` on the admin listener.
    /// - Parameter path: `/metrics`, `/healthz`, `/readyz`.
    /// - Returns: curl's result.
    func admin(_ path: String) throws -> Curl.Result {
        try Curl.run(["--max-time", "30", "http://127.0.0.1:\(adminPort)\(path)"])
    }

    /// The admin listener's `/metrics`.
    func metrics() throws -> String { try Curl.scrape(adminPort) }

    /// The value of one series in a fresh scrape (0 when absent).
    /// - Parameter series: The name with its labels, exactly as exposed.
    func value(_ series: String) throws -> Double { ExpositionText.value(of: series, in: try metrics()) ?? 0 }

    /// A field of `/proc/PID/status` in its unit (`VmRSS` in kB, `Threads`).
    func status(_ field: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? -1
        }
        return -1
    }

    /// Resident memory in bytes.
    var residentBytes: Int { status("VmRSS") * 1024 }

    /// Threads.
    var threads: Int { status("Threads") }

    /// Stops the gateway (SIGTERM, then SIGKILL) and removes its folder.
    /// - Returns: The exit status.
    @discardableResult
    func stop() -> Int32 {
        defer { try? FileManager.default.removeItem(at: folder) }
        return process.stop()
    }
}
