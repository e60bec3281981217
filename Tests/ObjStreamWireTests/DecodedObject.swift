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
        try body.withUnsafeBytes { all in
            var start = 0
            var i = 0
            while start < all.count {
                let n = min(chunkSizes[i % chunkSizes.count], all.count - start)
                i += 1
                let chunk = UnsafeRawBufferPointer(rebasing: all[start..<(start + n)])
                start += n
                try decoder.feed(chunk) { event in
                    switch event {
                    case .header(let h):
                        precondition(current == nil, "header inside an object")
                        current = DecodedObject(header: h, data: [])
                    case .data(let bytes):
                        current!.data += bytes
                    case .objectEnd:
                        out.objects.append(current!)
                        current = nil
                    case .marker(let op):
                        out.markers.append(op)
                    }
                }
            }
        }
        try decoder.finish()
        return out
    }
}

/// A small deterministic random generator (SplitMix64), so failures reproduce from a seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
