import Foundation
import ObjStreamReceive
import ObjStreamTestSupport
import ObjStreamWire
import Synchronization
import Testing

@Suite struct AdapterTests {
    @Test func collectorOverItsCapEndsTheStreamWith400Handler() throws {
        let harness = try GatewayHarness()
        defer { harness.stop() }
        let collected = Mutex<[String]>([])
        try harness.endpoints.register(
            "small",
            CollectingEndpoint(maxObjectSize: 1000) { _, header, bytes in
                collected.withLock { $0.append("\(header.objectName):\(bytes.count)") }
            })
        var encoder = FrameEncoder(pduSize: 512)
        try encoder.appendObject(
            ObjectHeader(bucket: Bucket(name: "b"), objectName: "fits", attributes: ObjectAttributes(size: 1000)),
            data: [UInt8](repeating: 1, count: 1000))
        // Unsized: the cap is only found out while the PDUs arrive.
        try encoder.appendObject(
            ObjectHeader(bucket: Bucket(name: "b"), objectName: "huge", attributes: ObjectAttributes(size: -1)),
            data: [UInt8](repeating: 2, count: 5000))
        let response = try harness.put("small", encoder.bytes)
        #expect(response.status == 400)
        #expect(response.body.contains("object_too_large: object ais://b/huge: 1488 bytes over the 1000-byte cap"), "\(response.body)")
        #expect(collected.withLock { $0 } == ["fits:1000"])
    }

    @Test func controlObjectsAndTheFinMarkerAreCountedApartFromData() throws {
        let harness = try GatewayHarness()
        defer { harness.stop() }
        let sink = SinkEndpoint()
        try harness.endpoints.register("sink", sink)
        let folder = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data")
        try Data(PayloadPattern.bytes(for: "d", size: 12_345)).write(to: data)
        let body = folder.appendingPathComponent("body")
        let tool = "'\(TestPaths.objstreamBinary.path)' frame --bucket ais://b"
        let script = "\(tool) --object d --data \(data.path) > \(body.path)"
            + " && \(tool) --object done --opcode 27182 >> \(body.path)"
            + " && \(tool) --object last --fin >> \(body.path)"
        let made = try ChildProcess.run("/bin/sh", ["-c", script])
        #expect(made.status == 0, "\(made.stderr)")
        let response = try harness.put("sink", [UInt8](try Data(contentsOf: body)), chunkSize: 1000)
        #expect(response.status == 200)
        #expect(sink.received.objects == 2)
        #expect(sink.received.controlObjects == 1)
        #expect(sink.received.bytes == 12_345)
        #expect(harness.counter("objstream_rx_control_objects_total", "endpoint=\"sink\"") == 1)
        #expect(harness.counter("objstream_rx_objects_total", "endpoint=\"sink\"") == 2)
        let reserved = try ChildProcess.run(TestPaths.objstreamBinary.path, ["frame", "--bucket", "ais://b", "--object", "x", "--opcode", "65519"])
        #expect(reserved.status == 2)
        #expect(reserved.stderr.contains("--opcode 65519 is reserved"))
    }

    @Test func storeFolderNamesAreReversibleAndNeverShared() {
        func folders(_ bucket: Bucket) -> String {
            switch StorePath.folders(of: StoredBucket(bucket)) {
            case .success(let folders): folders.joined(separator: "/")
            case .failure(let refusal): "refused: \(refusal)"
            }
        }
        #expect(folders(Bucket(name: "b")) == "ais/@global/b")
        #expect(folders(Bucket(name: "b", provider: "aws", namespace: Namespace(uuid: "u", name: "n"))) == "aws/@u#n/b")
        #expect(folders(Bucket(name: "b", provider: "gcp", namespace: Namespace(name: "n"))) == "gcp/@#n/b")
        #expect(folders(Bucket(name: "b", namespace: Namespace(uuid: "global"))) == "ais/@global#/b")
        #expect(folders(Bucket(name: "b", namespace: Namespace(uuid: "a#b"))) == "ais/@a%23b#/b")
        #expect(folders(Bucket(name: "b", namespace: Namespace(uuid: "a", name: "b"))) == "ais/@a#b/b")
        #expect(folders(Bucket(name: "b/c")) == "ais/@global/b%2Fc")
        #expect(folders(Bucket(name: "..")) == "ais/@global/%2E%2E")
        #expect(folders(Bucket(name: "100%")) == "ais/@global/100%25")
        #expect(folders(Bucket(name: "")) == "refused: bucket is empty")
        #expect(folders(Bucket(name: "b", provider: "")) == "refused: provider is empty")
        #expect(folders(Bucket(name: String(repeating: "b", count: 256))) == "refused: bucket folder name is 256 bytes, over 255")
        for part in ["", "a", "a#b", "%41", "..", ".", "@global", "é", "a/b", "\n\u{7f}"] {
            #expect(StorePath.part(ofFolderName: StorePath.folderName(of: Array(part.utf8))) == Array(part.utf8), "\(part)")
        }
        #expect(StorePath.namespace(ofFolderName: "@a%23b#")?.uuid == Array("a#b".utf8))
        #expect(StorePath.namespace(ofFolderName: "@a#b")?.name == Array("b".utf8))
        #expect(StorePath.namespace(ofFolderName: "@#") == nil)
    }

    @Test func objectNamesAreRefusedStoredAsIsOrShortened() {
        func refusal(_ name: String) -> String? { StorePath.refusal(ofObjectName: Array(name.utf8))?.reason }
        #expect(refusal("x//y") == "object name segment is empty")
        #expect(refusal("x/./y") == "object name segment is '.'")
        #expect(refusal("a/../../b") == "object name segment is '..'")
        #expect(refusal("/o") == "object name has a leading '/'")
        #expect(refusal("") == "object name is empty")
        #expect(refusal("dir/file") == nil)
        func fits(_ name: [UInt8], under folder: Int = 40) -> Bool { StorePath.fitsAsIs(name, under: folder) }
        #expect(fits(Array("a/b/c".utf8)))
        #expect(fits([UInt8](repeating: 0x61, count: 255)))
        #expect(!fits([UInt8](repeating: 0x61, count: 256)))
        #expect(!fits([0x61, 0xff]))
        #expect(!fits(Array("a/.objstream-1-2.tmp".utf8)))
        #expect(!fits(Array((StorePath.shortenedName(of: [1]) + "/x").utf8)))
        #expect(fits(Array("a/.x123".utf8)))
        let deep = Array(repeating: String(repeating: "d", count: 200), count: 21).joined(separator: "/")
        let deepFits = fits(Array(deep.utf8))
        #expect(!deepFits, "a \(deep.utf8.count)-byte path is over PATH_MAX")
        #expect(StorePath.shortenedName(of: Array("abc".utf8)) == ".xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
