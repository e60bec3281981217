import Foundation

/// One case of the matrix, run end to end: a fresh gateway, a sender worker process,
/// the bytes checked at the receiver, and both sides' CPU and memory.
enum StreamBenchmark {
    /// What one run of a case measured.
    struct Run: Codable, Sendable {
        var gigabytesPerSecond: Double
        var objectsPerSecond: Double
        var senderCPUPerGiB: Double
        var receiverCPUPerGiB: Double
        var senderPeakRSS: Int
        var receiverPeakRSS: Int
        var bytes: Int64
        var verified: Bool
        /// The `iperf3` baseline measured just before this run.
        var baselineGBps: Double = 0
    }

    /// Runs one case once.
    static func run(_ benchCase: BenchCase) throws -> Run {
        let gateway = try GatewayProcess()
        defer { gateway.stop() }
        guard let before = gateway.usage else { throw BenchError("cannot read the gateway's /proc entries") }
        // All of the case's sender processes start before any is waited for.
        let workers = try (0..<benchCase.processes).map { _ in
            try WorkerProcess(["--url", gateway.url] + benchCase.workerArguments)
        }
        let results = try workers.map { worker in
            let (output, status) = worker.finish()
            guard status == 0, let result = try? JSONDecoder().decode(BenchWorker.Result.self, from: output) else {
                throw BenchError("a sender worker for \(benchCase.name) failed (exit \(status))")
            }
            return result
        }
        let result = BenchWorker.Result(combining: results)
        let received = try gateway.waitForReceived(result.bytes)
        guard let after = gateway.usage else { throw BenchError("the gateway exited during \(benchCase.name)") }
        let gib = Double(result.bytes) / Double(1 << 30)
        return Run(
            gigabytesPerSecond: Double(result.bytes) / result.seconds / 1e9,
            objectsPerSecond: Double(result.objects) / result.seconds,
            senderCPUPerGiB: result.cpuSeconds / gib,
            receiverCPUPerGiB: (after.cpuSeconds - before.cpuSeconds) / gib,
            senderPeakRSS: result.peakResidentBytes,
            receiverPeakRSS: after.peakResidentBytes,
            bytes: result.bytes,
            verified: received == result.bytes && result.failures == 0)
    }
}
