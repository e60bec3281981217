import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// Header strings that are not UTF-8 (Go strings are bytes): decoded losslessly, the bytes kept
/// beside the repaired `String`, and written again exactly; never a broken stream.
@Suite struct UndecodedStringTests {
    /// A wire string: `u16` big-endian length, then the bytes.
    static func wire(_ bytes: [UInt8]) -> [UInt8] {
        [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xff)] + bytes
    }

    static func wire(_ text: String) -> [UInt8] { wire(Array(text.utf8)) }

    /// The bytes of a header with the given strings, laid out by hand after WIRE.md 2.2 (not by the encoder).
    static func headerBytes(
        sid: [UInt8], bucketName: [UInt8], provider: [UInt8], nsName: [UInt8], nsUUID: [UInt8], objectName: [UInt8],
        demux: [UInt8], checksumType: [UInt8], checksumValue: [UInt8], version: [UInt8], metadata: [([UInt8], [UInt8])],
        size: Int64 = 0, opaque: [UInt8] = []
    ) -> [UInt8] {
        var out = wire(sid) + [0x00, 0x07]  // opcode 7
        out += wire(bucketName) + wire(provider) + wire(nsName) + wire(nsUUID) + wire(objectName)
        out += wire(opaque) + wire(demux)
        out += withUnsafeBytes(of: size.bigEndian) { Array($0) }
        out += [0, 0, 0, 0, 0, 0, 0, 42]  // atime
        out += wire(checksumType) + wire(checksumValue) + wire(version)
        for (key, value) in metadata { out += wire(key) + wire(value) }
        return out + [0, 0]
    }

    /// `dir/` 0xff 0xfe `.bin`: two bytes that are no UTF-8 at all.
    static let invalidName: [UInt8] = Array("dir/".utf8) + [0xff, 0xfe] + Array(".bin".utf8)

    @Test func aHeaderWithAnObjectNameThatIsNotUTF8DecodesAndReencodesByteExactly() throws {
        let golden = Self.headerBytes(
            sid: Array("aisgo-tx".utf8), bucketName: Array("vec".utf8), provider: Array("ais".utf8), nsName: [],
            nsUUID: [], objectName: Self.invalidName, demux: [], checksumType: Array("xxhash".utf8),
            checksumValue: Array("0123456789abcdef".utf8), version: Array("1".utf8), metadata: [])
        #expect(golden.count == 89)
        let header = try HeaderCodec.decode(golden)
        #expect(header.objectName == "dir/\u{FFFD}\u{FFFD}.bin")
        #expect(header.undecodedStrings == [.objectName: Self.invalidName])
        #expect(header.bytes(of: .objectName) == Self.invalidName)
        #expect(header.bytes(of: .bucketName) == Array("vec".utf8))
        #expect(header.senderID == "aisgo-tx" && header.bucket == Bucket(name: "vec", provider: "ais"))
        #expect(header.opcode == Opcode(rawValue: 7) && header.attributes.atime == 42)
        #expect(header.attributes.checksumValue == "0123456789abcdef" && header.attributes.version == "1")
        #expect(HeaderCodec.encodedLength(of: header) == golden.count)
        #expect(try HeaderCodec.encode(header) == golden)
    }

    @Test func anObjectNameThatIsNotUTF8IsNotABrokenStream() throws {
        var header = ObjectHeader(senderID: "tx-1", bucket: Bucket(name: "b"), attributes: ObjectAttributes(size: 3))
        header.setBytes(Self.invalidName, of: .objectName)
        var encoder = FrameEncoder()
        try encoder.appendObject(header, data: [1, 2, 3])
        encoder.appendFin()
        let stream = try DecodedStream.decode(encoder.bytes)
        #expect(stream.objects == [DecodedObject(header: header, data: [1, 2, 3])])
        #expect(stream.markers == [.fin])
    }

    /// A random byte string: valid UTF-8, random bytes, or UTF-8's usual defects.
    static func randomBytes(_ rng: inout SplitMix64, maxBytes: Int = 40) -> [UInt8] {
        let pieces: [[UInt8]] = [
            Array("a/".utf8), Array("é".utf8), Array("中".utf8), Array("🙂".utf8),
            [0xff], [0xfe], [0x80],  // never valid / a lone continuation byte
            [0xc3], [0xe4, 0xb8], [0xf0, 0x9f, 0x99],  // sequences cut short
            [0xc0, 0x80], [0xe0, 0x80, 0xaf],  // overlong encodings
            [0xed, 0xa0, 0x80],  // a UTF-16 surrogate
            [0xf4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
            [0x00], [0xef, 0xbf, 0xbd],  // NUL and U+FFFD itself: valid
        ]
        var out: [UInt8] = []
        if Int.random(in: 0..<4, using: &rng) == 0 {
            return (0..<Int.random(in: 0...maxBytes, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        for _ in 0..<Int.random(in: 0...(maxBytes / 4), using: &rng) { out += pieces.randomElement(using: &rng)! }
        return out
    }

    @Test func randomByteStringsInEveryStringFieldReencodeByteExactly() throws {
        var rng = SplitMix64(seed: 0xbad_0_07f8)
        var undecodedFields = 0
        for _ in 0..<RoundTripPropertyTests.iterations {
            let metadata = (0..<Int.random(in: 0...4, using: &rng)).map { _ -> ([UInt8], [UInt8]) in
                var key = Self.randomBytes(&rng)
                if key.isEmpty { key = [0xff] }
                return (key, Self.randomBytes(&rng))
            }
            let fields = (0..<10).map { _ in Self.randomBytes(&rng) }
            let wire = Self.headerBytes(
                sid: fields[0], bucketName: fields[1], provider: fields[2], nsName: fields[3], nsUUID: fields[4],
                objectName: fields[5], demux: fields[6], checksumType: fields[7], checksumValue: fields[8],
                version: fields[9], metadata: metadata, size: Int64.random(in: -1...1 << 40, using: &rng),
                opaque: Self.randomBytes(&rng))
            let header = try HeaderCodec.decode(wire)
            #expect(try HeaderCodec.encode(header) == wire)
            #expect(HeaderCodec.encodedLength(of: header) == wire.count)
            let named: [(HeaderStringField, [UInt8])] = [
                (.senderID, fields[0]), (.bucketName, fields[1]), (.provider, fields[2]), (.namespaceName, fields[3]),
                (.namespaceUUID, fields[4]), (.objectName, fields[5]), (.demux, fields[6]), (.checksumType, fields[7]),
                (.checksumValue, fields[8]), (.version, fields[9]),
            ] + metadata.enumerated().flatMap { i, pair in [(.metadataKey(i), pair.0), (.metadataValue(i), pair.1)] }
            for (field, bytes) in named {
                #expect(header.bytes(of: field) == bytes, "\(field)")
                let valid = String(decoding: bytes, as: UTF8.self).utf8.elementsEqual(bytes)
                #expect((header.undecodedStrings[field] == nil) == valid, "\(field)")
            }
            #expect(header.undecodedStrings.count == named.count(where: { !String(decoding: $0.1, as: UTF8.self).utf8.elementsEqual($0.1) }))
            undecodedFields += header.undecodedStrings.count
            // Built from the bytes instead of decoded: the same header.
            var built = ObjectHeader(
                opcode: header.opcode, opaque: header.opaque, attributes: ObjectAttributes(
                    size: header.attributes.size, atime: header.attributes.atime,
                    customMetadata: metadata.map { _ in MetadataEntry("k", "") }))
            for (field, bytes) in named { built.setBytes(bytes, of: field) }
            #expect(built == header)
        }
        #expect(undecodedFields > RoundTripPropertyTests.iterations)  // the property was tested on invalid bytes
    }

    @Test func setBytesKeepsTheBytesOnlyWhenTheyAreNotUTF8() {
        var header = ObjectHeader()
        header.setBytes(Array("plain/é".utf8), of: .objectName)
        #expect(header.objectName == "plain/é" && header.undecodedStrings.isEmpty)
        header.setBytes([0x61, 0xff], of: .objectName)
        #expect(header.objectName == "a\u{FFFD}" && header.undecodedStrings == [.objectName: [0x61, 0xff]])
        header.setBytes(Array("again".utf8), of: .objectName)
        #expect(header.objectName == "again" && header.undecodedStrings.isEmpty)
        header.attributes.customMetadata = [MetadataEntry("k", "v")]
        header.setBytes([0xc3], of: .metadataValue(0))
        header.setBytes([0xfe], of: .provider)
        #expect(header.attributes.customMetadata == [MetadataEntry("k", "\u{FFFD}")] && header.bucket.provider == "\u{FFFD}")
        #expect(header.undecodedStrings == [.metadataValue(0): [0xc3], .provider: [0xfe]])
    }

    @Test func assigningAnotherStringWinsOverTheUndecodedBytes() throws {
        var header = ObjectHeader(bucket: Bucket(name: "b"))
        header.setBytes(Self.invalidName, of: .objectName)
        // The same repaired string again: the bytes still match it and still count.
        header.objectName = "dir/\u{FFFD}\u{FFFD}.bin"
        #expect(header.bytes(of: .objectName) == Self.invalidName)
        header.objectName = "renamed"
        #expect(header.bytes(of: .objectName) == Array("renamed".utf8))
        let encoded = try HeaderCodec.encode(header)
        #expect(encoded.count == HeaderCodec.encodedLength(of: header))
        let decoded = try HeaderCodec.decode(encoded)
        #expect(decoded.objectName == "renamed" && decoded.undecodedStrings.isEmpty)
    }

    @Test func headersThatDifferOnlyInUndecodedBytesAreDifferent() {
        var a = ObjectHeader()
        a.setBytes([0xff], of: .objectName)
        var b = ObjectHeader()
        b.setBytes([0xfe], of: .objectName)
        #expect(a.objectName == b.objectName)
        #expect(a != b)
        #expect(Set([a, b]).count == 2)
    }

    @Test func lengthLimitsCountTheBytesThatAreWritten() throws {
        // 30000 bytes of 0xff repair to 90000 bytes of U+FFFD, but 30000 is what goes on the wire.
        var header = ObjectHeader()
        header.setBytes([UInt8](repeating: 0xff, count: 30_000), of: .objectName)
        #expect(header.objectName.utf8.count == 90_000)
        try HeaderCodec.validate(header)
        #expect(HeaderCodec.encodedLength(of: header) == HeaderCodec.encodedLength(of: ObjectHeader()) + 30_000)
        header.setBytes([UInt8](repeating: 0xff, count: WireLimits.maxStringLength + 1), of: .objectName)
        do {
            try HeaderCodec.validate(header)
            Issue.record("an object name over 65535 bytes validated")
        } catch {
            #expect(error.code == .stringTooLong && error.field == "ObjName")
        }
        var metadata = ObjectHeader(attributes: ObjectAttributes(customMetadata: [MetadataEntry("k", "")]))
        metadata.setBytes([UInt8](repeating: 0x80, count: WireLimits.maxStringLength + 1), of: .metadataValue(0))
        do {
            try HeaderCodec.validate(metadata)
            Issue.record("a metadata value over 65535 bytes validated")
        } catch {
            #expect(error.code == .stringTooLong && error.field == "CustomMD[0].value")
        }
    }

    @Test func descriptionsPrintTheRepairedString() {
        var header = ObjectHeader(bucket: Bucket(name: "b"))
        header.setBytes([0x62, 0xff], of: .bucketName)
        header.setBytes([0xfe], of: .namespaceName)
        #expect(header.bucket.description == "ais://#\u{FFFD}/b\u{FFFD}")
        #expect(!header.bucket.description.utf8.contains(0xff))
    }

    enum Framing: String, CaseIterable, CustomTestStringConvertible {
        case plain, pdu, lz4
        var testDescription: String { rawValue }
    }

    @Test(arguments: Framing.allCases)
    func streamsCarryingHeadersThatAreNotUTF8YieldTheBytes(framing: Framing) throws {
        var objects: [DecodedObject] = []
        var frames = FrameEncoder(pduSize: framing == .pdu ? 4096 : 0)
        for i in 0..<3 {
            let data = PayloadPattern.bytes(for: "u\(i)", size: 5000 * i)
            var header = ObjectHeader(
                senderID: "tx", bucket: Bucket(name: "b"),
                attributes: ObjectAttributes(size: Int64(data.count), customMetadata: [MetadataEntry("k", "v")]))
            header.setBytes(Self.invalidName + [UInt8(i)], of: .objectName)
            header.setBytes([0xe2, 0x82], of: .metadataValue(0))
            if i == 1 { header.setBytes([0xff, 0xff], of: .bucketName) }
            try frames.appendObject(header, data: data)
            objects.append(DecodedObject(header: header, data: data))
        }
        frames.appendFin()
        var body = frames.bytes
        if framing == .lz4 {
            let lz4 = try LZ4FrameEncoder()
            var compressed: [UInt8] = []
            try lz4.begin { compressed += $0 }
            try body.withUnsafeBytes { plain in try lz4.compress(plain) { compressed += $0 } }
            try lz4.flush { compressed += $0 }
            body = compressed
        }
        for chunks in [[Int.max], [1], [7, 4096]] {
            let stream = try DecodedStream.decode(body, compressed: framing == .lz4, chunkSizes: chunks)
            #expect(stream.objects == objects, "chunks \(chunks)")
            #expect(stream.markers == [.fin])
            #expect(stream.objects.map { $0.header.bytes(of: .objectName) } == (0..<3).map { Self.invalidName + [UInt8($0)] })
            #expect(stream.objects[1].header.bytes(of: .bucketName) == [0xff, 0xff])
        }
    }
}
