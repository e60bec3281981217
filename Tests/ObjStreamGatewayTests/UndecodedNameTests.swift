import Foundation
import ObjStreamGateway
import ObjStreamReceive
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

/// Object headers whose strings are not UTF-8 (a Go sender's names are bytes) are a
/// stream like any other: `200`, and the endpoint gets the exact bytes.
@Suite struct UndecodedNameTests {
    /// The objects the collecting endpoint got, in order.
    final class Received: Sendable {
        let items = Mutex<[(ObjectHeader, [UInt8])]>([])
    }

    let harness: GatewayHarness
    let received = Received()

    init() throws {
        harness = try GatewayHarness()
        let received = self.received
        try harness.endpoints.register(
            "collect",
            CollectingEndpoint(maxObjectSize: 1 << 20) { _, header, bytes in received.items.withLock { $0.append((header, bytes)) } })
    }

    /// `p/` 0xff `/` 0xc3 (a cut-short é) `.bin`.
    static let name: [UInt8] = Array("p/".utf8) + [0xff] + Array("/".utf8) + [0xc3] + Array(".bin".utf8)

    enum Framing: String, CaseIterable, CustomTestStringConvertible {
        case plain, pdu, lz4
        var testDescription: String { rawValue }
    }

    @Test(arguments: Framing.allCases)
    func aStreamWhoseNamesAreNotUTF8Gets200AndTheEndpointSeesTheBytes(framing: Framing) throws {
        defer { harness.stop() }
        var frames = FrameEncoder(pduSize: framing == .pdu ? 1024 : 0)
        var sent: [(ObjectHeader, [UInt8])] = []
        for i in 0..<3 {
            let data = PayloadPattern.bytes(for: "n\(i)", size: 3000 * i)
            var header = ObjectHeader(
                senderID: "go-tx", bucket: Bucket(name: "b"), attributes: ObjectAttributes(size: Int64(data.count)))
            header.setBytes(Self.name + [UInt8(0x80 + i)], of: .objectName)
            header.setBytes([0x62, 0xfe], of: .bucketName)
            try frames.appendObject(header, data: data)
            sent.append((header, data))
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
        let response = try harness.put("collect", body, chunkSize: 1000, compressed: framing == .lz4)
        #expect(response.status == 200, "\(response.body)")
        let got = received.items.withLock { $0 }
        #expect(got.map(\.0) == sent.map(\.0))
        #expect(got.map(\.1) == sent.map(\.1))
        #expect(got.map { $0.0.bytes(of: .objectName) } == (0..<3).map { Self.name + [UInt8(0x80 + $0)] })
        #expect(got.allSatisfy { $0.0.bytes(of: .bucketName) == [0x62, 0xfe] && $0.0.bucket.name == "b\u{FFFD}" })
        #expect(harness.counter("objstream_rx_broken_streams_total", "code=\"sbr_obj_hdr_inval\"") == 0)
    }

    @Test func objstreamFrameSendsNamesGivenInHexAsThoseBytes() throws {
        defer { harness.stop() }
        let folder = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("frame.bin").path
        let hex = Self.name.map { String(format: "%02x", $0) }.joined()
        let frame = try ChildProcess.run(
            "/bin/sh",
            ["-c", "'\(TestPaths.objstreamBinary.path)' frame --bucket ais://#ns/b --name-hex \(hex) --bucket-name-hex FF00 > \(file)"])
        #expect(frame.status == 0, "\(frame.stderr)")
        let response = try harness.put("collect", [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))))
        #expect(response.status == 200, "\(response.body)")
        let header = try #require(received.items.withLock { $0 }.first?.0)
        #expect(header.bytes(of: .objectName) == Self.name)
        #expect(header.bytes(of: .bucketName) == [0xff, 0x00])
        #expect(header.bucket.namespace == Namespace(name: "ns") && header.bucket.provider == "ais")
        #expect(Set(header.undecodedStrings.keys) == [.bucketName, .objectName])
    }

    @Test func objstreamFrameRefusesHexThatIsNotBytesAndAnObjectGivenTwice() throws {
        defer { harness.stop() }
        let tool = TestPaths.objstreamBinary.path
        let odd = try ChildProcess.run(tool, ["frame", "--bucket", "ais://b", "--name-hex", "fff"])
        #expect(odd.status == 2 && odd.stderr.contains("--name-hex 'fff' is not bytes in hex"), "\(odd.stderr)")
        let letters = try ChildProcess.run(tool, ["frame", "--bucket", "ais://b", "--object", "o", "--bucket-name-hex", "zz"])
        #expect(letters.status == 2 && letters.stderr.contains("--bucket-name-hex 'zz' is not bytes in hex"), "\(letters.stderr)")
        let both = try ChildProcess.run(tool, ["frame", "--bucket", "ais://b", "--object", "o", "--name-hex", "6f"])
        #expect(both.status == 2 && both.stderr.contains("--object and --name-hex exclude each other"), "\(both.stderr)")
        let none = try ChildProcess.run(tool, ["frame", "--bucket", "ais://b", "--name-hex", ""])
        #expect(none.status == 2 && none.stderr.contains("--object (or --name-hex) is required"), "\(none.stderr)")
    }
}
