import Foundation

/// The hardware's ceiling on this machine: `iperf3 -l 1M` over loopback, one stream or `-P N`.
enum BaselineBenchmark {
    /// Runs `iperf3` server and client on a free loopback port.
    /// - Parameters:
    ///   - seconds: How long the client sends.
    ///   - streams: Parallel streams (`-P`).
    /// - Returns: Gigabytes per second received (all streams), or an error naming what failed.
    static func run(seconds: Int, streams: Int = 1) throws -> Double {
        let port = try LoopbackPort.free()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["iperf3", "-s", "-p", String(port)]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            if server.isRunning { server.terminate() }
            server.waitUntilExit()
        }
        guard LoopbackPort.waitUntilListening(port) else { throw BenchError("iperf3 -s did not listen on port \(port)") }
        let client = Process()
        let output = Pipe()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["iperf3", "-c", "127.0.0.1", "-p", String(port), "-l", "1M", "-t", String(seconds), "-P", String(streams), "-J"]
        client.standardOutput = output
        client.standardError = FileHandle.nullDevice
        try client.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        client.waitUntilExit()
        guard client.terminationStatus == 0,
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let end = json["end"] as? [String: Any],
            let received = end["sum_received"] as? [String: Any],
            let bitsPerSecond = (received["bits_per_second"] as? NSNumber)?.doubleValue
        else { throw BenchError("iperf3 -c failed (exit \(client.terminationStatus)); is iperf3 installed? (make deps)") }
        return bitsPerSecond / 8 / 1e9
    }
}

/// A benchmark that could not run, with the reason.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
