import Foundation
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// Random headers and objects, encoded, cut at random chunk boundaries, decode to exactly what was encoded.
@Suite struct RoundTripPropertyTests {
    /// Iterations per run; `OBJSTREAM_FUZZ_ITERATIONS` raises it (the libFuzzer targets of `make fuzz` go further).
    static let iterations = Int(ProcessInfo.processInfo.environment["OBJSTREAM_FUZZ_ITERATIONS"] ?? "") ?? 300

    static func randomString(_ rng: inout SplitMix64, maxBytes: Int) -> String {
        let alphabet: [String] = ["a", "Z", "/", "0", " ", ".", "é", "ж", "中", "🙂", "-", "_"]
        let target = Int.random(in: 0...maxBytes, using: &rng)
        var s = ""
        var bytes = 0
        while true {
            let piece = alphabet.randomElement(using: &rng)!
            if bytes + piece.utf8.count > target { break }
            s += piece
            bytes += piece.utf8.count
        }
        return s
    }

    /// A header whose fields, string lengths and metadata are all random, within the 128 KiB limit.
    static func randomHeader(_ rng: inout SplitMix64, size: Int64) -> ObjectHeader {
        // Mostly short fields; now and then one that uses most of the header budget.
        var budget = WireLimits.maxHeaderSize - 4096
        func field(_ rng: inout SplitMix64) -> String {
            let big = Int.random(in: 0..<40, using: &rng) == 0
            let limit = min(big ? WireLimits.maxStringLength : 64, max(budget, 0))
            let s = randomString(&rng, maxBytes: limit)
            budget -= s.utf8.count
            return s
        }
        let opaqueCount = min(Int.random(in: 0..<8, using: &rng) == 0 ? Int.random(in: 0...65535, using: &rng) : 8, max(budget, 0))
        budget -= opaqueCount
        var custom: [MetadataEntry] = []
        for _ in 0..<Int.random(in: 0...64, using: &rng) {
            var key = field(&rng)
            if key.isEmpty { key = "k" }
            custom.append(MetadataEntry(key, field(&rng)))
        }
        return ObjectHeader(
            senderID: field(&rng),
            opcode: Opcode(rawValue: UInt16.random(in: 0..<Opcode.fin.rawValue, using: &rng)),
            bucket: Bucket(name: field(&rng), provider: field(&rng), namespace: Namespace(uuid: field(&rng), name: field(&rng))),
            objectName: field(&rng),
            opaque: (0..<opaqueCount).map { _ in UInt8.random(in: 0...255, using: &rng) },
            demux: field(&rng),
            attributes: ObjectAttributes(
                size: size, atime: Int64.random(in: .min ... .max, using: &rng),
                checksumType: field(&rng), checksumValue: field(&rng), version: field(&rng), customMetadata: custom))
    }

    @Test func randomHeadersRoundTripThroughTheCodec() throws {
        var rng = SplitMix64(seed: 0x0b5e_55ed)
        for _ in 0..<Self.iterations {
            let header = Self.randomHeader(&rng, size: Int64.random(in: -1...Int64.max, using: &rng))
            let bytes = try HeaderCodec.encode(header)
            #expect(bytes.count == HeaderCodec.encodedLength(of: header))
            #expect(try HeaderCodec.validate(header) == bytes.count)
            #expect(bytes.count <= WireLimits.maxHeaderSize)
            #expect(try HeaderCodec.decode(bytes) == header)
        }
    }

    @Test(arguments: [0, 64, 4096, WireLimits.maxPDUSize])
    func randomStreamsCutAtRandomBoundariesDecodeToWhatWasEncoded(pduSize: Int) throws {
        var rng = SplitMix64(seed: UInt64(pduSize) &+ 17)
        for _ in 0..<max(1, Self.iterations / 30) {
            var encoder = FrameEncoder(pduSize: pduSize)
            var expected: [DecodedObject] = []
            for _ in 0..<Int.random(in: 1...12, using: &rng) {
                let length = [0, 1, 15, 16, 17, 4080, 70_000, Int.random(in: 0...300_000, using: &rng)]
                    .randomElement(using: &rng)!
                let unsized = pduSize > 0 && Bool.random(using: &rng)
                let data = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                let header = Self.randomHeader(&rng, size: unsized ? -1 : Int64(length))
                try encoder.appendObject(header, data: data)
                expected.append(DecodedObject(header: header, data: data))
            }
            encoder.appendFin()
            // Chunk sizes: single bytes, odd primes, and large slices, mixed.
            let chunks = (0..<16).map { _ in [1, 2, 3, 13, 4096, 65536, 1 << 20].randomElement(using: &rng)! }
            let stream = try DecodedStream.decode(encoder.bytes, chunkSizes: chunks)
            #expect(stream.objects == expected)
            #expect(stream.markers == [.fin])
        }
    }

    @Test func lz4CompressedStreamsDecodeToWhatWasEncoded() throws {
        var rng = SplitMix64(seed: 42)
        for blockSize in LZ4BlockSize.allCases {
            var frames = FrameEncoder()
            var expected: [DecodedObject] = []
            var body: [UInt8] = []
            let lz4 = try LZ4FrameEncoder(blockSize: blockSize, contentChecksum: blockSize == .mib1)
            try lz4.begin { body += $0 }
            for i in 0..<20 {
                let length = Int.random(in: 0...200_000, using: &rng)
                // Half compressible text, half random bytes.
                let data: [UInt8] = i % 2 == 0
                    ? (0..<length).map { UInt8(truncatingIfNeeded: $0 % 251) }
                    : (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                let header = Self.randomHeader(&rng, size: Int64(length))
                let before = frames.bytes.count
                try frames.appendObject(header, data: data)
                expected.append(DecodedObject(header: header, data: data))
                try frames.bytes.withUnsafeBytes { raw in
                    try lz4.compress(UnsafeRawBufferPointer(rebasing: raw[before...])) { body += $0 }
                }
                try lz4.flush { body += $0 }
            }
            let chunks = [1, 7, 4096, 100_000]
            #expect(try DecodedStream.decode(body, compressed: true, chunkSizes: chunks).objects == expected)
        }
    }
}
