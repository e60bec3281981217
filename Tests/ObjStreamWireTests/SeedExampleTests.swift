import ObjStreamTestSupport
import ObjStreamWire
import Testing

@Suite struct SeedExampleTests {
    @Test func exampleHeadersEncodeTo72And113BytesAsTheReferenceDoes() throws {
        let body = try TestPaths.vector("example_headers.body.bin")
        let first = try HeaderCodec.encode(SeedExample.firstHeader())
        let xxFirst = try HeaderCodec.encode(SeedExample.secondHeader(customFirst: "xx"))
        let yyFirst = try HeaderCodec.encode(SeedExample.secondHeader(customFirst: "yy"))
        #expect(first.count == 72)
        #expect(xxFirst.count == 113 && yyFirst.count == 113)
        // Layout: proto header, header, 231 data bytes, proto header, header, ...
        #expect(Array(body[16..<88]) == first)
        let secondStart = 16 + 72 + 231 + 16
        // The reference writes custom metadata in map order: the two captures hold both orders.
        let alt = try TestPaths.vector("example_headers.alt_order.body.bin")
        let captured = Set([body, alt].map { Array($0[secondStart..<(secondStart + 113)]) })
        #expect(captured == Set([xxFirst, yyFirst]))
    }

    /// The seed's receive loop, ported: walk the body by `hlen`, print every object up to a reserved opcode.
    @Test func portedReceiveLoopPrintsTheSeedOutput() throws {
        let body = try TestPaths.vector("example_headers.body.bin")
        var lines: [String] = []
        var off = 0
        while true {
            let hlen = Int(body[off..<(off + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            off += 16
            let hdr = try HeaderCodec.decode(Array(body[off..<(off + hlen)]))
            if hdr.opcode.isReserved { break }
            let opaque = "[" + hdr.opaque.map(String.init).joined(separator: " ") + "]"
            lines.append(
                "Bck:\(hdr.bucket) ObjName:\(hdr.objectName) SID:\(hdr.senderID) Opaque:\(opaque) "
                    + "ObjAttrs:{\(hdr.attributes)} (\(hlen))")
            off += hlen + Int(hdr.attributes.size)
        }
        #expect(lines == SeedExample.headersOutput)
    }

    @Test func bucketAndAttributeStringsMatchTheReference() {
        #expect(SeedExample.firstHeader().bucket.description == "s3://@uuid#namespace/abc")
        #expect(SeedExample.secondHeader().bucket.description == "ais://abracadabra")
        #expect(SeedExample.firstHeader().attributes.description == #"231B, v"1", xxhash2[h1], map[]"#)
        #expect(SeedExample.secondHeader(customFirst: "yy").attributes.description.hasSuffix("map[xx:11 yy:22]"))
        #expect(Bucket(name: "g", provider: "gcp", namespace: Namespace(name: "n")).description == "gs://#n/g")
    }

    @Test func reservedAndControlOpcodesFollowTheirRanges() {
        #expect(Opcode.fin.rawValue == 65519 && Opcode.idleTick.rawValue == 65520)
        #expect(Opcode(rawValue: 65518).isReserved == false)
        #expect(Opcode.fin.isReserved && Opcode(rawValue: 65535).isReserved)
        #expect(Opcode.done.isControl && !Opcode(rawValue: 27181).isControl)
        #expect(Opcode.reconnect.rawValue == 46351 && Opcode.response.rawValue == 27185)
    }
}
