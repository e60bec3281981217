import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// The golden streams captured from the reference: each decodes to exactly the objects
/// of the vectors README, and encoding those objects again gives the same bytes.
@Suite struct GoldenVectorTests {
    static let atime: Int64 = 1_700_000_000_000_000_000

    static func vecHeader(_ name: String, size: Int64) -> ObjectHeader {
        ObjectHeader(
            senderID: "aisgo-tx", bucket: Bucket(name: "vec", provider: "ais"), objectName: name,
            attributes: ObjectAttributes(size: size, atime: atime))
    }

    /// Re-encodes decoded objects (and the fin marker) with the given PDU size.
    static func reencode(_ objects: [DecodedObject], pduSize: Int = 0) throws -> [UInt8] {
        var encoder = FrameEncoder(pduSize: pduSize)
        for object in objects { try encoder.appendObject(object.header, data: object.data) }
        encoder.appendFin()
        return encoder.bytes
    }

    @Test(arguments: ["example_headers", "example_headers.alt_order"])
    func exampleHeadersStreamDecodesAndReencodes(name: String) throws {
        let body = try TestPaths.vector("\(name).body.bin")
        let stream = try DecodedStream.decode(body)
        #expect(stream.objects.count == 2)
        #expect(stream.markers == [.fin])
        #expect(stream.objects[0] == DecodedObject(header: SeedExample.firstHeader(), data: Array(SeedExample.lorem.utf8)))
        var second = stream.objects[1]
        #expect(second.data == Array(SeedExample.duis.utf8))
        #expect(Set(second.header.attributes.customMetadata) == [MetadataEntry("xx", "11"), MetadataEntry("yy", "22")])
        second.header.attributes.customMetadata = SeedExample.secondHeader().attributes.customMetadata
        #expect(second.header == SeedExample.secondHeader())
        #expect(try Self.reencode(stream.objects) == body)
    }

    @Test func headerOnlyStreamCarriesOpaqueDemuxAndMetadata() throws {
        let body = try TestPaths.vector("header_only.body.bin")
        let stream = try DecodedStream.decode(body)
        var expected = ObjectHeader(
            senderID: "aisgo-tx", bucket: Bucket(name: "hb", provider: "ais"), objectName: "hdr/only",
            opaque: [1, 2, 3, 4], demux: "dm-1",
            attributes: ObjectAttributes(size: 0, atime: Self.atime, customMetadata: [MetadataEntry("k", "v")]))
        #expect(stream.objects == [DecodedObject(header: expected, data: [])])
        #expect(try HeaderCodec.encode(expected).count == 77)
        expected.attributes.customMetadata = []
        #expect(try Self.reencode(stream.objects) == body)
    }

    @Test func plainSizedStreamCarriesThreePatternObjects() throws {
        let body = try TestPaths.vector("plain_sized.body.bin")
        let stream = try DecodedStream.decode(body)
        let sizes = [1, 4096, 70000]
        #expect(stream.objects.count == 3)
        for (i, object) in stream.objects.enumerated() {
            var expected = Self.vecHeader("plain/p\(i)", size: Int64(sizes[i]))
            expected.opaque = Array("op\(i)".utf8)
            expected.demux = "dmx"
            expected.attributes.checksumType = "xxhash"
            expected.attributes.checksumValue = "0123456789abcdef"
            expected.attributes.version = "v\(i)"
            #expect(object.header == expected)
            #expect(try HeaderCodec.encode(expected).count == 94)
            #expect(object.data == PayloadPattern.bytes(for: "plain/p\(i)", size: sizes[i]))
        }
        #expect(try Self.reencode(stream.objects) == body)
    }

    @Test func unsizedPDUStreamCarriesTheObjectIn4080ByteSlices() throws {
        let body = try TestPaths.vector("pdu_unsized.body.bin")
        let stream = try DecodedStream.decode(body)
        #expect(stream.objects.count == 1)
        let object = try #require(stream.objects.first)
        #expect(object.header.objectName == "unsized/u1")
        #expect(object.header.bucket == Bucket(name: "vec", provider: "ais"))
        #expect(object.header.attributes.size == -1)
        #expect(object.data == PayloadPattern.bytes(for: "unsized/u1", size: 10000))
        #expect(try Self.reencode(stream.objects, pduSize: 4096) == body)
    }

    @Test func lz4StreamDecompressesToTheCapturedPlainStream() throws {
        let body = try TestPaths.vector("lz4.body.bin")
        let plain = try TestPaths.vector("lz4.decompressed.bin")
        let stream = try DecodedStream.decode(body, compressed: true)
        #expect(try DecodedStream.decode(plain).objects == stream.objects)
        #expect(stream.objects.count == 3)
        #expect(stream.objects[0].data == Array(SeedExample.lorem.utf8))
        #expect(stream.objects[1].data == Array(SeedExample.duis.utf8))
        #expect(stream.objects[2].header == Self.vecHeader("lz4/big", size: 100_000))
        #expect(stream.objects[2].data == PayloadPattern.bytes(for: "lz4/big", size: 100_000))
        #expect(try Self.reencode(stream.objects) == plain)
    }

    @Test(arguments: [1, 2, 3, 7, 16, 17, 100, 4096])
    func anyChunkingDecodesTheSameObjects(chunk: Int) throws {
        for name in ["plain_sized", "pdu_unsized", "example_headers", "header_only"] {
            let body = try TestPaths.vector("\(name).body.bin")
            #expect(try DecodedStream.decode(body, chunkSizes: [chunk]).objects == DecodedStream.decode(body).objects)
        }
        let lz4 = try TestPaths.vector("lz4.body.bin")
        #expect(
            try DecodedStream.decode(lz4, compressed: true, chunkSizes: [chunk]).objects
                == DecodedStream.decode(lz4, compressed: true).objects)
    }

    @Test(arguments: ["example_headers", "header_only", "plain_sized", "pdu_unsized", "lz4"])
    func rawCaptureIsAChunkedPutOfTheBody(name: String) throws {
        let request = try ChunkedBody.parse(try TestPaths.vector("\(name).raw.bin"))
        #expect(request.requestLine.hasPrefix("PUT /v1/objstream/"))
        #expect(request.header("Transfer-Encoding") == "chunked")
        #expect(request.header("Ais-Session-Id").flatMap { Int64($0) } != nil)
        #expect(request.header("Ais-Compress") == (name == "lz4" ? "lz4" : nil))
        #expect(request.body == (try TestPaths.vector("\(name).body.bin")))
    }
}
