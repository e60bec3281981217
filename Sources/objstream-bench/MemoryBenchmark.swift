import Foundation

/// Resident memory: what an idle stream costs the sender, and whether a long run stays flat.
enum MemoryBenchmark {
    /// What the memory checks measured.
    struct Result: Codable {
        var idleStreamBytes: Int
        var senderAfterFirstGiB: Int
        var senderAtEnd: Int
        var receiverAfterFirstGiB: Int
        var receiverAtEnd: Int
        var totalBytes: Int64

        var summary: String {
            func mib(_ n: Int) -> String { String(format: "%.1f MiB", Double(n) / Double(1 << 20)) }
            func growth(_ a: Int, _ b: Int) -> String { String(format: "%+.1f%%", a > 0 ? Double(b - a) / Double(a) * 100 : 0) }
            return """
                memory:
                  idle stream (sender): \(idleStreamBytes / 1024) KiB resident per stream
                  \(totalBytes >> 30) GiB run, 1 MiB objects: sender \(mib(senderAfterFirstGiB)) after 1 GiB -> \(mib(senderAtEnd)) at end (\(growth(senderAfterFirstGiB, senderAtEnd)))
                                                 receiver \(mib(receiverAfterFirstGiB)) after 1 GiB -> \(mib(receiverAtEnd)) at end (\(growth(receiverAfterFirstGiB, receiverAtEnd)))
                """
        }
    }

    static func run(totalBytes: Int64 = 16 << 30) throws -> Result {
        let gateway = try GatewayProcess()
        defer { gateway.stop() }
        let idle = try WorkerProcess.run(["--idle", "64", "--url", gateway.url])
        guard let perStream = Int(String(decoding: idle.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw BenchError("the idle-stream worker printed no number") }

        // The long run: poll the gateway's RSS while the worker sends.
        let already = try gateway.receivedBytes()
        let worker = try WorkerProcess(
            ["--url", gateway.url, "--total", String(totalBytes)]
                + BenchCase(objectSize: 1 << 20, streams: 1, seconds: 0).workerArguments)
        var receiverAfterFirstGiB = 0
        while worker.isRunning {
            if receiverAfterFirstGiB == 0, try gateway.receivedBytes() - already >= 1 << 30 {
                receiverAfterFirstGiB = gateway.usage?.residentBytes ?? 0
            }
            usleep(100_000)
        }
        let finished = worker.finish()
        guard let result = try? JSONDecoder().decode(BenchWorker.Result.self, from: finished.output) else {
            throw BenchError("the long-run worker failed (exit \(finished.status))")
        }
        _ = try gateway.waitForReceived(already + result.bytes)
        return Result(
            idleStreamBytes: perStream, senderAfterFirstGiB: result.residentAfterFirstGiB ?? 0,
            senderAtEnd: result.residentAtEnd ?? 0, receiverAfterFirstGiB: receiverAfterFirstGiB,
            receiverAtEnd: gateway.usage?.residentBytes ?? 0, totalBytes: result.bytes)
    }
}
