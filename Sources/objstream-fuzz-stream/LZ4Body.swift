import ObjStreamWire

/// A plain stream compressed the way a sender does it: one lz4 frame, flushed, never closed.
enum LZ4Body {
    /// Compresses a stream.
    /// - Parameters:
    ///   - body: The plain stream.
    ///   - blockSize: The frame's block size.
    /// - Returns: The compressed body.
    static func compress(_ body: UnsafeRawBufferPointer, blockSize: LZ4BlockSize) -> [UInt8] {
        var out: [UInt8] = []
        do {
            let encoder = try LZ4FrameEncoder(blockSize: blockSize)
            let sink = { (bytes: UnsafeRawBufferPointer) in out.append(contentsOf: bytes) }
            try encoder.begin(sink)
            try encoder.compress(body, sink)
            try encoder.flush(sink)
        } catch {
            fatalError("lz4 cannot compress \(body.count) bytes: \(error)")
        }
        return out
    }
}
