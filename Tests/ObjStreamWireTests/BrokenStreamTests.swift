import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// Every `sbr_*` code of WIRE.md 4, provoked in the decoder alone.
@Suite struct BrokenStreamTests {
    static let header = ObjectHeader(
        senderID: "tx-1", bucket: Bucket(name: "b"), objectName: "o", attributes: ObjectAttributes(size: 100))

    static func frame(_ header: ObjectHeader = header, data: [UInt8]? = nil, pduSize: Int = 0) throws -> [UInt8] {
        var e = FrameEncoder(pduSize: pduSize)
        try e.appendObject(header, data: data ?? [UInt8](repeating: 7, count: Int(max(header.attributes.size, 0))))
        return e.bytes
    }

    /// Decodes `body` and returns the error it ends with (nil for a clean end).
    static func decodeError(_ body: [UInt8], failAtEnd cause: String? = nil) -> BrokenStreamError? {
        let decoder = StreamDecoder(senderID: "tx-1")
        do {
            try body.withUnsafeBytes { raw in
                var input = raw
                while try decoder.next(from: &input) != nil {}
            }
            if let cause { return decoder.failure(cause) }
            try decoder.finish()
            return nil
        } catch let error as BrokenStreamError {
            return error
        } catch {
            preconditionFailure("unexpected \(error)")
        }
    }

    static func protoHeader(_ length: UInt64, _ flags: ProtoHeader.Flags = []) -> [UInt8] {
        ProtoHeader(length: length, flags: flags).bytes
    }

    @Test func cleanEndAtAFrameBoundaryIsNoError() throws {
        #expect(Self.decodeError([]) == nil)
        #expect(Self.decodeError(try Self.frame()) == nil)
    }

    @Test func bodyEndingInsideAProtoHeaderIsSbrProtoHdr() throws {
        let body = try Self.frame() + [0, 0, 0, 0, 0]
        let error = try #require(Self.decodeError(body))
        #expect(error.code == .protoHeader)
        #expect(error.senderID == "tx-1")
        #expect(error.offset == Int64(body.count))
        #expect(error.description.contains("5 of 16"))
    }

    @Test func headerLengthOver128KiBIsSbrProtoHdrLong() {
        let error = Self.decodeError(Self.protoHeader(128 * 1024 + 1))
        #expect(error?.code == .protoHeaderLong)
        #expect(error?.offset == 0)
        #expect(Self.decodeError(Self.protoHeader(128 * 1024))?.code == .objectHeaderShort)
    }

    @Test func flippedCheckWordIsSbrHdrChecksum() throws {
        var body = try Self.frame()
        body[15] ^= 1
        #expect(Self.decodeError(body)?.code == .headerChecksum)
        var pdu = try Self.frame(pduSize: 64)
        let firstPDU = 16 + (try HeaderCodec.encode(Self.header)).count
        pdu[firstPDU + 9] ^= 0x80
        let error = Self.decodeError(pdu)
        #expect(error?.code == .headerChecksum)
        #expect(error?.offset == Int64(firstPDU))
    }

    @Test func bodyEndingInsideAnObjectHeaderIsSbrObjHdrShort() throws {
        let body = try Self.frame()
        #expect(Self.decodeError(Array(body[..<30]))?.code == .objectHeaderShort)
    }

    @Test func malformedMismatchedOrZeroLengthHeaderIsSbrObjHdrInval() throws {
        // hlen 0.
        #expect(Self.decodeError(Self.protoHeader(0))?.code == .objectHeaderInvalid)
        // A string that runs past hlen: the SID claims 200 bytes of a 10-byte header.
        let malformed = Self.decodeError(Self.protoHeader(10) + [0, 200] + [UInt8](repeating: 65, count: 8))
        #expect(malformed?.code == .objectHeaderInvalid)
        let cause = try #require(malformed?.cause as? WireError)
        #expect(cause.code == .malformed)
        #expect(cause.field == "SID")
        #expect(cause.offset == 0)
        // Two stray bytes inside hlen after the terminator.
        var hdr = try HeaderCodec.encode(ObjectHeader(objectName: "x"))
        hdr += [0, 0]
        let mismatch = Self.decodeError(Self.protoHeader(UInt64(hdr.count)) + hdr)
        #expect((mismatch?.cause as? WireError)?.code == .lengthMismatch)
        #expect(mismatch?.code == .objectHeaderInvalid)
        // Unknown size on a stream without PDUs.
        var unsized = Self.header
        unsized.attributes.size = -1
        let plainUnsized = try HeaderCodec.encode(unsized)
        #expect(Self.decodeError(Self.protoHeader(UInt64(plainUnsized.count)) + plainUnsized)?.code == .objectHeaderInvalid)
        // PDU flags on an object frame.
        #expect(Self.decodeError(Self.protoHeader(10, .pdu))?.code == .objectHeaderInvalid)
    }

    @Test func transportErrorBeforeAnyDataIsSbrObjData() throws {
        let body = try Self.frame()
        let headerEnd = body.count - 100
        #expect(Self.decodeError(Array(body[..<headerEnd]), failAtEnd: "connection reset")?.code == .objectData)
    }

    @Test func bodyEndingInsideObjectDataIsSbrObjDataEOF() throws {
        let body = try Self.frame()
        let error = Self.decodeError(Array(body[..<(body.count - 1)]))
        #expect(error?.code == .objectDataEOF)
        #expect(error?.description.contains("99 of 100") == true)
    }

    @Test func transportErrorAfterPartialDataIsSbrObjDataSize() throws {
        let body = try Self.frame()
        #expect(Self.decodeError(Array(body[..<(body.count - 40)]), failAtEnd: "connection reset")?.code == .objectDataSize)
    }

    @Test func bodyEndingInsideAPDUHeaderIsSbrPduHdrShort() throws {
        let body = try Self.frame(pduSize: 64)
        let firstPDU = 16 + (try HeaderCodec.encode(Self.header)).count
        #expect(Self.decodeError(Array(body[..<(firstPDU + 3)]))?.code == .pduHeaderShort)
    }

    @Test func pduWithoutFlagOversizedOrEmptyNotLastIsSbrPduHdrInvalid() throws {
        let start = Array(try Self.frame(pduSize: 64).prefix(16 + (try HeaderCodec.encode(Self.header)).count))
        #expect(Self.decodeError(start + Self.protoHeader(10))?.code == .pduHeaderInvalid)
        #expect(Self.decodeError(start + Self.protoHeader(128 * 1024 - 15, .pdu))?.code == .pduHeaderInvalid)
        #expect(Self.decodeError(start + Self.protoHeader(0, .pdu))?.code == .pduHeaderInvalid)
    }

    @Test func bodyEndingInsideAPDUPayloadIsSbrPduData() throws {
        let body = try Self.frame(pduSize: 64)
        #expect(Self.decodeError(Array(body[..<(body.count - 3)]))?.code == .pduData)
    }

    @Test func pdusThatDoNotAddUpToTheSizeAreSbrPduDataSize() throws {
        let start = Array(try Self.frame(pduSize: 64).prefix(16 + (try HeaderCodec.encode(Self.header)).count))
        // A last PDU that leaves the object short.
        let short = start + Self.protoHeader(10, [.pdu, .lastPDU]) + [UInt8](repeating: 1, count: 10)
        #expect(Self.decodeError(short)?.code == .pduDataSize)
        // PDUs that carry more than the size.
        let long = start + Self.protoHeader(100, .pdu) + [UInt8](repeating: 1, count: 100) + Self.protoHeader(1, .pdu)
        let error = Self.decodeError(long)
        #expect(error?.code == .pduDataSize)
        #expect(error?.offset == Int64(start.count + 116))
    }

    @Test func truncatedLZ4BlockIsReportedAsCompressionError() throws {
        let body = try TestPaths.vector("lz4.body.bin")
        let decoder = try BodyDecoder(compressed: true)
        do {
            try body.withUnsafeBytes { raw in
                try decoder.feed(UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 10)])) { _ in }
            }
        } catch {
            Issue.record("the first part of a valid body must decode: \(error)")
        }
        #expect(throws: BrokenStreamError.self) { try decoder.finish() }
        // The whole body ends at a block boundary.
        let whole = try BodyDecoder(compressed: true)
        try body.withUnsafeBytes { raw in try whole.feed(raw) { _ in } }
        try whole.finish()
        // A body that is only the 7-byte frame header is a clean end.
        let headerOnly = try BodyDecoder(compressed: true)
        try body.withUnsafeBytes { raw in try headerOnly.feed(UnsafeRawBufferPointer(rebasing: raw[..<7])) { _ in } }
        try headerOnly.finish()
    }
}
