import ObjStreamWire

/// One object as a decoder saw it, for comparisons in tests.
struct DecodedObject: Equatable {
    var header: ObjectHeader
    var data: [UInt8]
}

/// The events of a whole body, collected.
struct DecodedStream {
    var objects: [DecodedObject] = []
    var markers: [Opcode] = []

    /// Decodes `body` fed in chunks of the given sizes (cycled), then checks the end.
    static func decode(
        _ body: [UInt8], compressed: Bool = false, chunkSizes: [Int] = [Int.max]
    ) throws -> DecodedStream {
        var out = DecodedStream()
        var current: DecodedObject?
        let decoder = try BodyDecoder(compressed: compressed)
        try decoder.feed(body, chunkSizes: chunkSizes) { event in
            switch event {
            case .header:
                precondition(current == nil, "header inside an object")
                current = DecodedObject(header: decoder.frames.header, data: [])
            case .data(let bytes):
                current!.data += bytes
            case .objectEnd:
                out.objects.append(current!)
                current = nil
            case .marker(let op):
                out.markers.append(op)
            }
        }
        try decoder.finish()
        return out
    }
}

extension BodyDecoder {
    /// Feeds a whole body in chunks of the given sizes, cycled: how tests play a connection
    /// that delivers the body in arbitrary pieces.
    /// - Parameters:
    ///   - body: The body.
    ///   - chunkSizes: The sizes of the pieces, used in turn.
    ///   - handle: Called for each event.
    func feed<E: Error>(
        _ body: [UInt8], chunkSizes: [Int], _ handle: (StreamDecoder.Event) throws(E) -> Void
    ) throws(BodyDecodingError<E>) {
        let failure = body.withUnsafeBytes { all -> BodyDecodingError<E>? in
            var start = 0
            var i = 0
            while start < all.count {
                let n = min(chunkSizes[i % chunkSizes.count], all.count - start)
                i += 1
                do throws(BodyDecodingError<E>) {
                    try feed(UnsafeRawBufferPointer(rebasing: all[start..<(start + n)]), handle)
                } catch {
                    return error
                }
                start += n
            }
            return nil
        }
        if let failure { throw failure }
    }
}
