import Foundation
import ObjStreamGateway
import ObjStreamReceive
import ObjStreamTestSupport
import ObjStreamWire
import Testing

/// One way to break a stream over real HTTP.
struct BrokenCase: Sendable, CustomTestStringConvertible {
    enum Ending: Sendable {
        /// The chunked body ends properly (`0\r\n\r\n`): the gateway answers 400.
        case clean
        /// The client resets the connection once the receiver has seen this many data bytes
        /// (nil: once it has seen the object header).
        case reset(afterDataBytes: Int?)
    }

    var code: String
    var body: [UInt8]
    var ending: Ending
    var compressed = false
    /// Bytes sent after the broken part (the gateway must drain them, not choke).
    var trailing = 0
    /// The gateway's `max_lz4_block`.
    var maxLZ4Block = 4 << 20

    var testDescription: String { code }

    static func header(size: Int64) -> [UInt8] {
        try! HeaderCodec.encode(
            ObjectHeader(
                senderID: "t-sender", bucket: Bucket(name: "b"), objectName: "obj",
                attributes: ObjectAttributes(size: size)))
    }

    static func frame(size: Int64, pdus: Bool = false) -> [UInt8] {
        let hdr = header(size: size)
        return ProtoHeader(length: UInt64(hdr.count), flags: pdus ? .pduStream : []).bytes + hdr
    }

    static let all: [BrokenCase] = {
        var badCheck = ProtoHeader(length: 72).bytes
        badCheck[15] ^= 0xFF
        let hdr = header(size: 1000)
        return [
            BrokenCase(code: "sbr_proto_hdr", body: Array(ProtoHeader(length: 72).bytes.prefix(10)), ending: .clean),
            BrokenCase(
                code: "sbr_proto_hdr_long", body: ProtoHeader(length: UInt64(WireLimits.maxHeaderSize + 1)).bytes,
                ending: .clean, trailing: 200_000),
            BrokenCase(code: "sbr_hdr_checksum", body: badCheck, ending: .clean, trailing: 200_000),
            BrokenCase(
                code: "sbr_obj_hdr_short", body: ProtoHeader(length: UInt64(hdr.count)).bytes + hdr.prefix(5),
                ending: .clean),
            BrokenCase(code: "sbr_obj_hdr_inval", body: ProtoHeader(length: 4).bytes + [0, 0, 0, 0], ending: .clean, trailing: 1000),
            BrokenCase(code: "sbr_obj_data", body: frame(size: 1000), ending: .reset(afterDataBytes: nil)),
            BrokenCase(code: "sbr_obj_data_eof", body: frame(size: 1000) + [UInt8](repeating: 7, count: 10), ending: .clean),
            BrokenCase(
                code: "sbr_obj_data_size", body: frame(size: 1000) + [UInt8](repeating: 7, count: 10),
                ending: .reset(afterDataBytes: 10)),
            BrokenCase(
                code: "sbr_pdu_hdr_short", body: frame(size: 100, pdus: true) + ProtoHeader(length: 50, flags: .pdu).bytes.prefix(5),
                ending: .clean),
            BrokenCase(
                code: "sbr_pdu_hdr_invalid", body: frame(size: 100, pdus: true) + ProtoHeader(length: 50).bytes,
                ending: .clean, trailing: 1000),
            BrokenCase(
                code: "sbr_pdu_data",
                body: frame(size: 100, pdus: true) + ProtoHeader(length: 50, flags: .pdu).bytes
                    + [UInt8](repeating: 7, count: 10),
                ending: .clean),
            BrokenCase(
                code: "sbr_pdu_data_size",
                body: frame(size: 100, pdus: true) + ProtoHeader(length: 50, flags: [.pdu, .lastPDU]).bytes,
                ending: .clean, trailing: 1000),
            BrokenCase(code: "sbr_lz4", body: Array("this is not an lz4 frame at all".utf8), ending: .clean, compressed: true),
            BrokenCase(
                code: "sbr_lz4_block", body: frameHeader(.kib256), ending: .clean, compressed: true, trailing: 1000,
                maxLZ4Block: 64 << 10),
        ]
    }()

    /// The header of an lz4 frame with blocks of `size`, as objstream's sender begins a compressed body.
    static func frameHeader(_ size: LZ4BlockSize) -> [UInt8] {
        var bytes: [UInt8] = []
        try! LZ4FrameEncoder(blockSize: size).begin { (header: UnsafeRawBufferPointer) throws(Never) in bytes += header }
        return bytes
    }
}

@Suite struct BrokenStreamTests {
    @Test func everyWireCodeIsCoveredByACase() {
        let covered = Set(BrokenCase.all.map(\.code))
        #expect(covered == Set(BrokenStreamError.Code.allCases.map(\.description)))
    }

    @Test(arguments: BrokenCase.all)
    func brokenStreamIsReportedOnceCountedAndAnsweredWhileTheGatewayStaysUp(_ broken: BrokenCase) throws {
        let harness = try GatewayHarness(options: GatewayOptions(port: 0, maxLZ4Block: broken.maxLZ4Block))
        defer { harness.stop() }
        let recorder = RecordingEndpoint()
        try harness.endpoints.register("rx", recorder)

        let client = try RawHTTPClient(port: harness.port)
        try client.send(RawHTTPClient.streamHead("rx", compressed: broken.compressed))
        try client.sendChunk(broken.body)
        switch broken.ending {
        case .clean:
            if broken.trailing > 0 { try client.sendChunk([UInt8](repeating: 0x5A, count: broken.trailing)) }
            try client.endChunked()
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(response.body.contains(",\"code\":\"\(broken.code)\",\"error\":\""), "\(response.body)")
            #expect(response.body.hasSuffix(",\"objects\":0}\n"), "\(response.body)")
            #expect(response.headers["content-type"] == "application/json")
        case .reset(let afterDataBytes):
            let seen = eventually {
                guard let session = recorder.recorded.first else { return false }
                if let afterDataBytes { return session.dataBytes >= afterDataBytes }
                return !session.objects.isEmpty
            }
            #expect(seen, "the receiver never saw the bytes before the reset")
            client.reset()
        }
        #expect(harness.gateway.waitUntilIdle(timeout: .seconds(60)))
        let ends = recorder.ends
        #expect(ends.count == 1)
        #expect(ends.first??.code.description == broken.code, "\(ends)")
        #expect(ends.first??.senderID == "t-sender")
        #expect(harness.counter("objstream_rx_broken_streams_total", "code=\"\(broken.code)\"") == 1)
        #expect(harness.ended.first?.result == broken.code)
        let refusedBlocks = harness.counter("objstream_connections_rejected_total", "reason=\"max_lz4_block\"")
        #expect(refusedBlocks == (broken.code == "sbr_lz4_block" ? 1 : 0))

        var probe = FrameEncoder()
        try probe.appendObject(ObjectHeader(bucket: Bucket(name: "b"), objectName: "after"))
        #expect(try harness.put("rx", probe.bytes).status == 200)
        #expect(recorder.recorded.last?.objects.map(\.header.objectName) == ["after"])
    }

    @Test func senderThatGoesOnPastTheDrainLimitAfterABreakIsCut() throws {
        let harness = try GatewayHarness()
        defer { harness.stop() }
        let recorder = RecordingEndpoint()
        try harness.endpoints.register("rx", recorder)
        let client = try RawHTTPClient(port: harness.port)
        try client.send(RawHTTPClient.streamHead("rx"))
        var badCheck = ProtoHeader(length: 72).bytes
        badCheck[15] ^= 0xFF
        try client.sendChunk(badCheck)
        let piece = [UInt8](repeating: 0x5A, count: 1 << 20)
        var sent = 0
        var cut = false
        while sent < 256 << 20 && !cut {
            do {
                try client.sendChunk(piece)
                sent += piece.count
            } catch {
                cut = true
            }
        }
        #expect(cut, "the gateway took \(sent) bytes after the break")
        #expect(sent < 64 << 20)
        #expect(harness.gateway.waitUntilIdle(timeout: .seconds(60)))
        #expect(recorder.ends.map { $0?.code.description } == ["sbr_hdr_checksum"])
        #expect(harness.counter("objstream_rx_broken_streams_total", "code=\"sbr_hdr_checksum\"") == 1)
    }
}
