import Foundation

/// The hardware's ceiling on this machine: `iperf3 -l 1M` over loopback, one stream or `-P N`.
enum BaselineBenchmark {
    /// Runs `iperf3` server and client on a free loopback port.
    /// - Parameters:
    ///   - seconds: How long the client sends.
    ///   - streams: Parallel streams (`-P`).
    /// - Returns: Gigabytes per second received (all streams), or an error naming what failed.
    ///
    /// A run that gives no result (iperf3 now and then ends with exit 0 and a report without
    /// totals) is tried again, up to three times in all.
    static func run(seconds: Int, streams: Int = 1) throws -> Double {
        var failure: any Error = BenchError("iperf3 did not run")
        for _ in 0..<3 {
            do {
                return try runOnce(seconds: seconds, streams: streams)
            } catch let error as BenchError where error == .iperf3Missing {
                throw error
            } catch {
                failure = error
            }
        }
        throw failure
    }

    private static func runOnce(seconds: Int, streams: Int) throws -> Double {
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
        guard LoopbackPort.waitUntilListening(port) else {
            // `env` exits 127 when it finds no iperf3.
            if !server.isRunning, server.terminationStatus == 127 { throw BenchError.iperf3Missing }
            throw BenchError("iperf3 -s did not listen on port \(port)")
        }
        let client = Process()
        let output = Pipe()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        client.arguments = ["iperf3", "-c", "127.0.0.1", "-p", String(port), "-l", "1M", "-t", String(seconds), "-P", String(streams), "-J"]
        client.standardOutput = output
        client.standardError = FileHandle.nullDevice
        try client.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        client.waitUntilExit()
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        guard client.terminationStatus == 0,
            let end = json?["end"] as? [String: Any],
            let received = end["sum_received"] as? [String: Any],
            let bitsPerSecond = (received["bits_per_second"] as? NSNumber)?.doubleValue
        else {
            if client.terminationStatus == 127 { throw BenchError.iperf3Missing }
            let said = (json?["error"] as? String).map { ": \($0)" } ?? (json == nil ? ": no JSON report" : ": no received total")
            throw BenchError("iperf3 -c failed (exit \(client.terminationStatus))\(said)")
        }
        return bitsPerSecond / 8 / 1e9
    }
}

/// A benchmark that could not run, with the reason.
struct BenchError: Error, CustomStringConvertible, Equatable {
    var description: String
    init(_ description: String) { self.description = description }

    /// No `iperf3` on the path (`env` exited 127): trying again would not help.
    static let iperf3Missing = BenchError("iperf3 is not installed (make deps installs it)")
}
