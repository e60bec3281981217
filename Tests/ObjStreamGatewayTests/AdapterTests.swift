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

    @Test func storePathsNameProviderNamespaceBucketAndObject() {
        func path(_ bucket: Bucket, _ name: String) -> String {
            switch StorePath.segments(for: ObjectHeader(bucket: bucket, objectName: name)) {
            case .success(let segments): segments.joined(separator: "/")
            case .failure(let refusal): "refused: \(refusal)"
            }
        }
        #expect(path(Bucket(name: "b"), "x/y") == "ais/@global/b/x/y")
        #expect(path(Bucket(name: "b", provider: "aws", namespace: Namespace(uuid: "u", name: "n")), "o") == "aws/@u#n/b/o")
        #expect(path(Bucket(name: "b", provider: "gcp", namespace: Namespace(name: "n")), "o") == "gcp/#n/b/o")
        #expect(path(Bucket(name: "b"), "x//y") == "refused: object name segment is empty")
        #expect(path(Bucket(name: "b"), "x/./y") == "refused: object name segment is '.'")
        #expect(path(Bucket(name: "b/c"), "o") == "refused: bucket holds '/'")
        #expect(path(Bucket(name: "b"), "/o") == "refused: object name has a leading '/'")
    }
}
