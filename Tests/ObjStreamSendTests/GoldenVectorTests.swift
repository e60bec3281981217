import Foundation
import ObjStreamSend
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// The bytes the sender puts on the wire equal the reference's golden streams.
@Suite struct GoldenVectorTests {
    /// Sends objects, then `fin()`, to a raw server; returns the one request it saw.
    private func capture(
        _ objects: [(ObjectHeader, [UInt8])], configure: (inout StreamOptions) -> Void = { _ in }
    ) throws -> RawStreamServer.Request {
        let server = try RawStreamServer(recordBody: true)
        defer { server.kill() }
        let stream = try ObjStream(url: server.url("example"), options: TestObjects.options(configure: configure))
        for (h, data) in objects {
            var o = OutgoingObject(header: h, source: data.isEmpty ? nil : BytesSource(data))
            o.header.attributes.size = h.attributes.size
            try stream.send(o)
        }
        stream.fin()
        #expect(stream.terminationReason?.name == "end-of-stream")
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        return server.requests[0]
    }

    @Test func exampleHeadersBodyEqualsTheReferenceBytes() throws {
        // The vector holds the custom metadata as yy, xx (Go's map order of that run).
        let request = try capture(TestObjects.exampleHeaders(customOrder: ["yy", "xx"]))
        #expect(request.body == (try TestPaths.vector("example_headers.body.bin")))
        #expect(request.requestLine == "PUT /v1/objstream/example HTTP/1.1")
        #expect(request.header("Transfer-Encoding") == "chunked")
        #expect(request.header("Content-Type") == "application/octet-stream")
        #expect(Int64(request.header("Ais-Session-Id") ?? "") ?? 0 > 100)
        #expect(request.header("Ais-Caller-Id") == "")
        #expect(request.header("Ais-Compress") == nil)
    }

    @Test func exampleHeadersInTheOtherMetadataOrderEqualTheAltVector() throws {
        let request = try capture(TestObjects.exampleHeaders(customOrder: ["xx", "yy"]))
        #expect(request.body == (try TestPaths.vector("example_headers.alt_order.body.bin")))
    }

    @Test func headerOnlyBodyEqualsTheReferenceBytes() throws {
        let request = try capture([(TestObjects.headerOnly(), [])])
        #expect(request.body == (try TestPaths.vector("header_only.body.bin")))
    }

    @Test func plainSizedBodyEqualsTheReferenceBytes() throws {
        let request = try capture(TestObjects.plainSized())
        #expect(request.body == (try TestPaths.vector("plain_sized.body.bin")))
    }

    @Test func plainSizedBodyFromFilesEqualsTheReferenceBytes() throws {
        let dir = try TestPaths.temporaryDirectory("objstream-tx-golden")
        var objects: [(ObjectHeader, [UInt8])] = []
        let server = try RawStreamServer(recordBody: true)
        defer { server.kill() }
        let stream = try ObjStream(url: server.url("example"), options: TestObjects.options())
        for (i, (h, data)) in TestObjects.plainSized().enumerated() {
            let path = dir.appendingPathComponent("p\(i)").path
            try Data(data).write(to: URL(fileURLWithPath: path))
            try stream.send(OutgoingObject(header: h, source: try FileSource(path: path)))
            objects.append((h, data))
        }
        stream.fin()
        #expect(server.waitFor { $0.count == 1 && $0[0].complete })
        let vector = try TestPaths.vector("plain_sized.body.bin")
        #expect(server.requests[0].body == vector)
        // Per-request statistics: the offset after the last object is the body without the fin frame.
        #expect(stream.offset == Int64(vector.count - 58))
        #expect(stream.requestObjects == 3 && stream.requestBytes == 1 + 4096 + 70000)
    }

    @Test func unsizedPDUBodyEqualsTheReferenceBytes() throws {
        let request = try capture([TestObjects.unsized()]) { $0.pduSize = 4096 }
        #expect(request.body == (try TestPaths.vector("pdu_unsized.body.bin")))
    }

    @Test func lz4BodyDecompressesToTheReferenceStream() throws {
        let name = "lz4/big"
        var objects = TestObjects.exampleHeaders()
        objects.append(
            (ObjectHeader(
                senderID: "aisgo-tx", bucket: Bucket(name: "vec"), objectName: name,
                attributes: ObjectAttributes(size: 100_000, atime: TestObjects.vectorAtime)),
             PayloadPattern.bytes(for: name, size: 100_000)))
        let request = try capture(objects) { $0.compressed = true }
        #expect(request.header("Ais-Compress") == "lz4")
        let decoder = try LZ4FrameDecoder()
        var plain: [UInt8] = []
        try request.body.withUnsafeBytes { raw in
            try decoder.decompress(raw) { (out: UnsafeRawBufferPointer) in plain += out }
        }
        #expect(plain == (try TestPaths.vector("lz4.decompressed.bin")))
        #expect(decoder.isAtBlockBoundary)
    }
}
