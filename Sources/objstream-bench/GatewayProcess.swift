import Foundation

/// An `objstream serve` child process with one `sink` endpoint named `bench`, on a free loopback port.
final class GatewayProcess {
    let process = Process()
    let port: UInt16
    private let logPath: String

    /// Starts the gateway and waits until it listens.
    init() throws {
        logPath = NSTemporaryDirectory() + "objstream-bench-gateway-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        port = try LoopbackPort.free()
        process.executableURL = try Executables.objstream()
        process.arguments = ["serve", "--listen", "127.0.0.1:\(port)", "--endpoint", "bench=sink"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log
        try process.run()
        guard LoopbackPort.waitUntilListening(port) else {
            stop()
            throw BenchError("the gateway did not listen on 127.0.0.1:\(port); its log: \(logPath)")
        }
    }

    /// The URL of the `bench` endpoint.
    var url: String { "http://127.0.0.1:\(port)/v1/objstream/bench" }

    /// CPU time and memory of the gateway now.
    var usage: ProcessUsage? { ProcessUsage.of(pid: process.processIdentifier) }

    /// Data bytes the `bench` endpoint has received, from `/metrics`.
    func receivedBytes() throws -> Int64 {
        let curl = Process()
        let out = Pipe()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        curl.arguments = ["curl", "-sS", "http://127.0.0.1:\(port)/metrics"]
        curl.standardOutput = out
        try curl.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        curl.waitUntilExit()
        for line in text.split(separator: "\n") where line.hasPrefix("objstream_rx_bytes_total{endpoint=\"bench\"}") {
            if let value = line.split(separator: " ").last, let n = Int64(value) { return n }
        }
        return 0
    }

    /// Polls `/metrics` until the endpoint has received `bytes`, for up to `timeout`.
    func waitForReceived(_ bytes: Int64, timeout: Duration = .seconds(30)) throws -> Int64 {
        let deadline = ContinuousClock.now + timeout
        var seen = try receivedBytes()
        while seen < bytes, ContinuousClock.now < deadline {
            usleep(20_000)
            seen = try receivedBytes()
        }
        return seen
    }

    /// SIGTERM, then wait for the exit.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        unlink(logPath)
    }
}
