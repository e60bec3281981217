import ObjStreamWire

#if canImport(Glibc)
import Glibc
#endif

/// The frame decoder alone over an in-memory body: how fast the receive path can go
/// before HTTP and sockets are involved.
enum DecoderBenchmark {
    /// One micro-benchmark result.
    struct Result: Codable {
        var objectSize: Int
        var chunkSize: Int
        var gigabytesPerSecond: Double
        var headersPerSecond: Double
    }

    /// Decodes a body of `objectSize` objects, fed in `chunkSize` pieces, for at least `minimumBytes` in total.
    static func run(objectSize: Int, chunkSize: Int, minimumBytes: Int) throws -> Result {
        var frames = FrameEncoder()
        let payload = [UInt8](repeating: 0x5a, count: objectSize)
        var header = ObjectHeader(
            senderID: "bench-tx", bucket: Bucket(name: "bench"), objectName: "bench/object-000000",
            attributes: ObjectAttributes(size: Int64(objectSize), atime: 1, checksumType: "xxhash", checksumValue: "0123456789abcdef"))
        // About 64 MiB of body, decoded repeatedly.
        let count = max(1, (64 << 20) / (objectSize + 100))
        for i in 0..<count {
            header.objectName = "bench/object-\(i)"
            try frames.appendObject(header, data: payload)
        }
        let body = frames.bytes
        let rounds = max(1, minimumBytes / body.count)
        var objects = 0
        var bytes = 0
        let start = ContinuousClock.now
        try body.withUnsafeBytes { raw in
            for _ in 0..<rounds {
                let decoder = try BodyDecoder(compressed: false)
                var offset = 0
                while offset < raw.count {
                    let n = min(chunkSize, raw.count - offset)
                    try decoder.feed(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + n)])) { event in
                        switch event {
                        case .header: objects += 1
                        case .data(let d): bytes += d.count
                        case .objectEnd, .marker: break
                        }
                    }
                    offset += n
                }
                try decoder.finish()
            }
        }
        let seconds = (ContinuousClock.now - start).seconds
        return Result(
            objectSize: objectSize, chunkSize: chunkSize,
            gigabytesPerSecond: Double(body.count * rounds) / seconds / 1e9,
            headersPerSecond: Double(objects) / seconds)
    }
}
