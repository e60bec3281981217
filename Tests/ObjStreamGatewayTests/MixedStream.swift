import ObjStreamTestSupport
import ObjStreamWire

/// Writes a stream of mixed objects (header-only, tiny, odd-sized, large) over a raw
/// client as chunked HTTP, without building the body in memory.
struct MixedStream {
    /// Object sizes, cycled.
    static let sizes = [0, 1, 100, 4096, 65_537, 1_000_003, 4 * 1024 * 1024 + 5, 8 * 1024 * 1024]
    /// The data all objects are cut from (never checked byte by byte here).
    static let pattern = PayloadPattern.bytes(for: "mixed", size: 8 * 1024 * 1024)

    var objects = 0
    var bytes: Int64 = 0

    /// Sends objects until at least `total` data bytes have gone.
    /// - Parameters:
    ///   - client: A connected client whose request head has been sent.
    ///   - total: The data bytes to send at least.
    ///   - chunkSize: The largest HTTP chunk.
    mutating func send(over client: RawHTTPClient, total: Int64, chunkSize: Int = 256 * 1024) throws {
        var index = 0
        while bytes < total {
            let size = Self.sizes[index % Self.sizes.count]
            let header = ObjectHeader(
                senderID: "mixed", bucket: Bucket(name: "b"), objectName: "o\(index)",
                attributes: ObjectAttributes(size: Int64(size)))
            let hdr = try HeaderCodec.encode(header)
            try client.sendChunk(ProtoHeader(length: UInt64(hdr.count)).bytes + hdr)
            try Self.pattern.withUnsafeBytes { all in
                var offset = 0
                while offset < size {
                    let n = min(chunkSize, size - offset)
                    try client.sendChunk(UnsafeRawBufferPointer(rebasing: all[offset..<(offset + n)]))
                    offset += n
                }
            }
            objects += 1
            bytes += Int64(size)
            index += 1
        }
    }
}
