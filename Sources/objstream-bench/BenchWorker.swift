import Foundation
import ObjStreamSend
import ObjStreamWire
import Synchronization

/// The sender half of one benchmark case, run in a process of its own so that its CPU
/// time and peak memory belong to that case alone.
enum BenchWorker {
    /// What one worker run measured.
    struct Result: Codable, Sendable {
        var objects: Int
        var bytes: Int64
        var seconds: Double
        var cpuSeconds: Double
        var peakResidentBytes: Int
        var failures: Int
        /// Resident memory when the first GiB had been sent, and at the end (`--total` runs).
        var residentAfterFirstGiB: Int?
        var residentAtEnd: Int?
    }

    /// Sends objects of the case to `url` until the case's time is up, then `fin()`s every stream.
    /// - Parameters:
    ///   - benchCase: What to send.
    ///   - url: The receiving endpoint.
    ///   - totalBytes: When set, send this many bytes instead of for the case's time, and
    ///     record resident memory after the first GiB and at the end.
    static func run(_ benchCase: BenchCase, url: String, totalBytes: Int64? = nil) throws -> Result {
        let payload = payload(for: benchCase)
        var filePath: String?
        if benchCase.source == .file {
            let path = NSTemporaryDirectory() + "objstream-bench-\(getpid()).bin"
            try Data(payload).write(to: URL(fileURLWithPath: path))
            // Written back before the clock starts: writeback during the run is disk I/O
            // that belongs to no one's throughput.
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            try handle.synchronize()
            try handle.close()
            filePath = path
        }
        defer { if let filePath { unlink(filePath) } }

        let failures = Atomic<Int>(0)
        var options = StreamOptions()
        options.senderID = "bench"
        options.pduSize = benchCase.mode == .pdu ? WireLimits.maxPDUSize : 0
        options.compressed = benchCase.mode == .lz4Text || benchCase.mode == .lz4Random
        options.chunkSize = benchCase.chunkSize
        options.confirmation = benchCase.confirmed ? DeliveryConfirmation() : nil
        options.sentCallback = { _, _, error in
            if error != nil { failures.add(1, ordering: .relaxed) }
        }
        let streams = try (0..<benchCase.streams).map { _ in try ObjStream(url: url, options: options) }
        let header = ObjectHeader(
            senderID: "bench", bucket: Bucket(name: "bench"), objectName: "bench/object",
            attributes: ObjectAttributes(size: Int64(benchCase.objectSize), atime: 1))

        let before = ProcessUsage.current()
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int(benchCase.seconds * 1000))
        var objects = 0
        var residentAfterFirstGiB: Int?
        let firstGiB = (1 << 30) / benchCase.objectSize
        // Runs of objects per stream (up to 64, at most 1 MiB): taking a stream out of the array
        // retains it, once per run rather than once per object.
        let run = max(1, min(64, (1 << 20) / benchCase.objectSize))
        sending: while true {
            for stream in streams {
                for _ in 0..<run {
                    let source: any ObjectSource =
                        if let filePath { try FileSource(path: filePath) } else { BytesSource(payload) }
                    try stream.send(OutgoingObject(header: header, source: source))
                }
                objects += run
            }
            if let totalBytes {
                if residentAfterFirstGiB == nil, objects >= firstGiB {
                    residentAfterFirstGiB = ProcessUsage.current().residentBytes
                }
                if Int64(objects) * Int64(benchCase.objectSize) >= totalBytes { break sending }
            } else if ContinuousClock.now >= deadline {
                break sending
            }
        }
        for stream in streams { stream.fin() }
        let seconds = (ContinuousClock.now - start).seconds
        let after = ProcessUsage.current()
        return Result(
            objects: objects, bytes: Int64(objects) * Int64(benchCase.objectSize), seconds: seconds,
            cpuSeconds: after.cpuSeconds - before.cpuSeconds, peakResidentBytes: after.peakResidentBytes,
            failures: failures.load(ordering: .relaxed), residentAfterFirstGiB: residentAfterFirstGiB,
            residentAtEnd: totalBytes == nil ? nil : after.residentBytes)
    }

    /// One object's bytes for the case: random, or text-like bytes that lz4 compresses well.
    /// - Parameter benchCase: Its size and mode.
    /// - Returns: The bytes.
    static func payload(for benchCase: BenchCase) -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        if benchCase.mode == .lz4Text {
            let words = ["object", "stream", "bucket", "rebalance", "replica", "node", "target", "proxy", " ", "\n"]
            var out: [UInt8] = []
            out.reserveCapacity(benchCase.objectSize + 16)
            while out.count < benchCase.objectSize { out += words.randomElement(using: &rng)!.utf8 }
            return Array(out.prefix(benchCase.objectSize))
        }
        return [UInt8](unsafeUninitializedCapacity: benchCase.objectSize) { buffer, count in
            let words = UnsafeMutableRawBufferPointer(buffer)
            var i = 0
            while i + 8 <= words.count {
                words.storeBytes(of: rng.next(), toByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < words.count { words[i] = UInt8.random(in: 0...255, using: &rng); i += 1 }
            count = benchCase.objectSize
        }
    }
}

extension BenchWorker {
    /// Opens `count` streams, puts one header-only object through each, and reports the
    /// resident memory they added per stream while they sit idle.
    static func idleStreams(count: Int, url: String) throws -> Int {
        let delivered = Mutex(0)
        var options = StreamOptions()
        options.senderID = "bench-idle"
        options.idleTeardown = .seconds(3600)
        options.sentCallback = { _, _, _ in delivered.withLock { $0 += 1 } }
        let header = ObjectHeader(senderID: "bench-idle", bucket: Bucket(name: "bench"), objectName: "idle")
        // One stream first, so that what every process pays once is not counted per stream.
        let warm = try ObjStream(url: url, options: options)
        try warm.send(OutgoingObject(header: header))
        while delivered.withLock({ $0 }) < 1 { usleep(1000) }
        let before = ProcessUsage.current().residentBytes
        let streams = try (0..<count).map { _ in try ObjStream(url: url, options: options) }
        for stream in streams { try stream.send(OutgoingObject(header: header)) }
        while delivered.withLock({ $0 }) < count + 1 { usleep(1000) }
        let after = ProcessUsage.current().residentBytes
        for stream in streams + [warm] { stream.fin() }
        return (after - before) / count
    }
}

extension BenchWorker.Result {
    /// The results of processes that sent at the same time, as one: objects, bytes, CPU time
    /// and failures added up, the longest run's seconds, the largest peak memory.
    /// - Parameter results: One result per process (at least one).
    init(combining results: [BenchWorker.Result]) {
        self.init(
            objects: results.reduce(0) { $0 + $1.objects }, bytes: results.reduce(0) { $0 + $1.bytes },
            seconds: results.map(\.seconds).max() ?? 0, cpuSeconds: results.reduce(0) { $0 + $1.cpuSeconds },
            peakResidentBytes: results.map(\.peakResidentBytes).max() ?? 0,
            failures: results.reduce(0) { $0 + $1.failures })
    }
}
